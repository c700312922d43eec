{{ cookiecutter.__cpp_license_header }}

// hardsigmoid: out = clamp(x / 6 + 1 / 2, 0, 1).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_hardsigmoid(const KernelContext& context) {
  kernel_util::run_unary_float(context, [](float x) {
    return std::fmin(std::fmax(x + 3.0f, 0.0f), 6.0f) / 6.0f;
  });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
