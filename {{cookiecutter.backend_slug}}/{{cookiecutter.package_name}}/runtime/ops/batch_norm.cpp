{{ cookiecutter.__cpp_license_header }}

// batch_norm (inference): out[n, c, ...] = (x - running_mean[c]) /
// sqrt(running_var[c] + eps) * weight[c] + bias[c]; weight and bias are
// optional (1 and 0). Output 0 of _native_batch_norm_legit_no_training.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_batch_norm(const KernelContext& context) {
  using namespace schema::batch_norm;
  const Shape& in = context.input_info(kInputInput).shape;
  const float* x = context.input<float>(kInputInput);
  const float* weight = context.input<float>(kInputWeight); // null: 1
  const float* bias = context.input<float>(kInputBias); // null: 0
  const float* mean = context.input<float>(kInputRunningMean);
  const float* var = context.input<float>(kInputRunningVar);
  const double eps = context.attr_float(kAttrEps);
  float* out = context.output<float>();
  // [batch, channels, inner]: inner elements per (n, c) plane.
  const auto [dim, batch, channels, inner] = kernel_util::around_dim(in, 1);
  for (size_t n = 0; n < batch; ++n) {
    for (size_t c = 0; c < channels; ++c) {
      const double scale = (weight != nullptr ? double(weight[c]) : 1.0) /
          std::sqrt(double(var[c]) + eps);
      const double shift =
          (bias != nullptr ? double(bias[c]) : 0.0) - double(mean[c]) * scale;
      const size_t offset = (n * channels + c) * inner;
      for (size_t i = 0; i < inner; ++i) {
        out[offset + i] =
            static_cast<float>(double(x[offset + i]) * scale + shift);
      }
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
