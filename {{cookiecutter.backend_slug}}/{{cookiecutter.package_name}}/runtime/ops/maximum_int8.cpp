{{ cookiecutter.__cpp_license_header }}

// maximum on int8: both inputs requantized to the output's qparams, then
// compared (kernel_util::max_int8).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_maximum_int8(const KernelContext& context) {
  kernel_util::max_int8(context, /*minimum=*/false);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
