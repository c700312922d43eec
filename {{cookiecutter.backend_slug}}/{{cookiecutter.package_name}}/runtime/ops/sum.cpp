{{ cookiecutter.__cpp_license_header }}

// sum: out = the sum of the input over attribute dim (empty: all
// dimensions), accumulated in double.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_sum(const KernelContext& context) {
  kernel_util::reduce_sum_float(context, schema::sum::kAttrDim, false);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
