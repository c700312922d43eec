{{ cookiecutter.__cpp_license_header }}

// alias_copy: a copy of the input.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_alias_copy(const KernelContext& context) {
  kernel_util::copy_input(context);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
