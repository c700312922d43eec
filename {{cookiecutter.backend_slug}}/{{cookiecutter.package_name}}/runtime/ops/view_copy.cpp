{{ cookiecutter.__cpp_license_header }}

// view_copy: the input's elements in the same order under the attribute size.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_view_copy(const KernelContext& context) {
  kernel_util::copy_input(context);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
