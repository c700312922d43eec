{{ cookiecutter.__cpp_license_header }}

// squeeze_copy: the input without its listed size-1 dimensions; the
// element order does not change.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_squeeze_copy(const KernelContext& context) {
  kernel_util::copy_input(context);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
