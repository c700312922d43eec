{{ cookiecutter.__cpp_license_header }}

// neg: out = -x.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_neg(const KernelContext& context) {
  kernel_util::run_unary_float(context, [](float x) { return -x; });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
