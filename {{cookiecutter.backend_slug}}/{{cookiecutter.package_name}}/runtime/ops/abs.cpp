{{ cookiecutter.__cpp_license_header }}

// abs: out = |x|.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_abs(const KernelContext& context) {
  kernel_util::run_unary_float(context, [](float x) { return std::fabs(x); });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
