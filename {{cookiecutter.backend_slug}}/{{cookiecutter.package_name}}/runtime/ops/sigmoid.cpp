{{ cookiecutter.__cpp_license_header }}

// sigmoid: out = 1 / (1 + exp(-x)).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_sigmoid(const KernelContext& context) {
  kernel_util::run_unary_float(context, [](float x) {
    // Two branches so that exp() never overflows.
    if (x >= 0.0f) {
      return 1.0f / (1.0f + std::exp(-x));
    }
    const float e = std::exp(x);
    return e / (1.0f + e);
  });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
