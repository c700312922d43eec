{{ cookiecutter.__cpp_license_header }}

// unsqueeze_copy: the input with a size-1 dimension inserted; the element
// order does not change.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_unsqueeze_copy(const KernelContext& context) {
  kernel_util::copy_input(context);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
