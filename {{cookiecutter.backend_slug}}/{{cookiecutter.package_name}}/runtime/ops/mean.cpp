{{ cookiecutter.__cpp_license_header }}

// mean: out = the mean of the input over attribute dim (empty: all
// dimensions), accumulated in double; adaptive average pooling to 1x1
// becomes this.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_mean(const KernelContext& context) {
  kernel_util::reduce_sum_float(context, schema::mean::kAttrDim, true);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
