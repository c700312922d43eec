{{ cookiecutter.__cpp_license_header }}

// add on int8 (alpha 1), as TFLite's reference_integer_ops::Add: see
// kernel_util::add_int8.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_add_int8(const KernelContext& context) {
  kernel_util::add_int8(context, /*subtract=*/false);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
