{{ cookiecutter.__cpp_license_header }}

// silu: out = x * sigmoid(x).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_silu(const KernelContext& context) {
  kernel_util::run_unary_float(context, [](float x) {
    // Two branches so that exp() never overflows.
    if (x >= 0.0f) {
      return x / (1.0f + std::exp(-x));
    }
    const float e = std::exp(x);
    return x * e / (1.0f + e);
  });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
