{{ cookiecutter.__cpp_license_header }}

// rsqrt on int8: a 256-entry lookup table of run_rsqrt on the dequantized
// codes (kernel_util::run_lookup_table_int8).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_rsqrt_int8(const KernelContext& context) {
  kernel_util::run_lookup_table_int8(context, run_rsqrt);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
