{{ cookiecutter.__cpp_license_header }}

// layer_norm: each row of the trailing normalized_shape dimensions becomes
// (x - mean) / sqrt(var + eps) * weight + bias, with weight and bias optional
// (1 and 0). The mean comes first and the variance is taken of the centred
// values, both in double, so a row with a large mean and a small spread keeps
// its precision. Output 0 of native_layer_norm (mean and rstd serve
// training).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_layer_norm(const KernelContext& context) {
  using namespace schema::layer_norm;
  const float* x = context.input<float>(kInputInput);
  const float* weight = context.input<float>(kInputWeight); // null: 1
  const float* bias = context.input<float>(kInputBias); // null: 0
  const double eps = context.attr_float(kAttrEps);
  size_t row = 1;
  for (const int64_t size : context.attr_ints(kAttrNormalizedShape)) {
    row *= static_cast<size_t>(size);
  }
  float* out = context.output<float>();
  const size_t count = context.output_info().numel;
  for (size_t start = 0; row > 0 && start < count; start += row) {
    const float* in = x + start;
    double sum = 0.0;
    for (size_t i = 0; i < row; ++i) {
      sum += in[i];
    }
    const double mean = sum / double(row);
    double squares = 0.0;
    for (size_t i = 0; i < row; ++i) {
      const double centred = double(in[i]) - mean;
      squares += centred * centred;
    }
    const double rstd = 1.0 / std::sqrt(squares / double(row) + eps);
    for (size_t i = 0; i < row; ++i) {
      double value = (double(in[i]) - mean) * rstd;
      if (weight != nullptr) {
        value *= weight[i];
      }
      if (bias != nullptr) {
        value += bias[i];
      }
      out[start + i] = static_cast<float>(value);
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
