{{ cookiecutter.__cpp_license_header }}

// hardswish: out = x * clamp(x + 3, 0, 6) / 6.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_hardswish(const KernelContext& context) {
  kernel_util::run_unary_float(context, [](float x) {
    return x * std::fmin(std::fmax(x + 3.0f, 0.0f), 6.0f) / 6.0f;
  });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
