{{ cookiecutter.__cpp_license_header }}

// sub on int8 (alpha 1), as TFLite's reference_integer_ops::Sub: add's
// arithmetic with b negated (kernel_util::add_int8).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_sub_int8(const KernelContext& context) {
  kernel_util::add_int8(context, /*subtract=*/true);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
