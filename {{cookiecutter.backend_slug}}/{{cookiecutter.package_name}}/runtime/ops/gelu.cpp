{{ cookiecutter.__cpp_license_header }}

// gelu: out = x * Phi(x), exactly (erf) or with the tanh approximation.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_gelu(const KernelContext& context) {
  if (context.attr_bool(schema::gelu::kAttrTanh)) {
    kernel_util::run_unary_float(context, [](float x) {
      const double v = x;
      const double inner = 0.7978845608028654 * (v + 0.044715 * v * v * v);
      return static_cast<float>(0.5 * v * (1.0 + std::tanh(inner)));
    });
    return;
  }
  kernel_util::run_unary_float(context, [](float x) {
    const double v = x;
    return static_cast<float>(
        0.5 * v * (1.0 + std::erf(v * 0.7071067811865476)));
  });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
