{{ cookiecutter.__cpp_license_header }}

// silu on int8: a 256-entry lookup table of run_silu on the dequantized
// codes (kernel_util::run_lookup_table_int8).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_silu_int8(const KernelContext& context) {
  kernel_util::run_lookup_table_int8(context, run_silu);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
