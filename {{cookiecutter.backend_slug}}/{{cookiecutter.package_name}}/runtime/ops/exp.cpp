{{ cookiecutter.__cpp_license_header }}

// exp: out = e^x.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_exp(const KernelContext& context) {
  kernel_util::run_unary_float(context, [](float x) { return std::exp(x); });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
