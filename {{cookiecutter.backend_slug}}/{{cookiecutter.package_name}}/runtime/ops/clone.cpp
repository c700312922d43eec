{{ cookiecutter.__cpp_license_header }}

// clone: a copy of the input (the contiguous dim order only).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_clone(const KernelContext& context) {
  kernel_util::copy_input(context);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
