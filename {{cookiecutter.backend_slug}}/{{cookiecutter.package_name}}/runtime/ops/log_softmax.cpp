{{ cookiecutter.__cpp_license_header }}

// log_softmax: out = x - max - log(sum(exp(x - max))) along dim (stable).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_log_softmax(const KernelContext& context) {
  kernel_util::softmax_float(
      context,
      context.attr_int(schema::log_softmax::kAttrDim),
      /*log_result=*/true);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
