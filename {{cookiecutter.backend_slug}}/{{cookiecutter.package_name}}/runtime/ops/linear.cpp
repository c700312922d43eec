{{ cookiecutter.__cpp_license_header }}

// linear: out[..., o] = sum_i input[..., i] * weight[o, i] + bias[o]; the
// bias is optional.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_linear(const KernelContext& context) {
  using namespace schema::linear;
  const float* x = context.input<float>(kInputInput);
  const float* weight = context.input<float>(kInputWeight);
  const float* bias = context.input<float>(kInputBias); // null when absent
  float* out = context.output<float>();
  const Shape& w = context.input_info(kInputWeight).shape;
  const size_t out_features = w.dim(0);
  const size_t in_features = w.dim(1);
  const size_t rows =
      out_features == 0 ? 0 : context.output_info().numel / out_features;
  for (size_t r = 0; r < rows; ++r) {
    const float* x_row = x + r * in_features;
    for (size_t o = 0; o < out_features; ++o) {
      const float* w_row = weight + o * in_features;
      // Accumulate in double: the reference should be the accurate answer.
      double acc = bias != nullptr ? bias[o] : 0.0;
      for (size_t i = 0; i < in_features; ++i) {
        acc += double(x_row[i]) * double(w_row[i]);
      }
      out[r * out_features + o] = static_cast<float>(acc);
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
