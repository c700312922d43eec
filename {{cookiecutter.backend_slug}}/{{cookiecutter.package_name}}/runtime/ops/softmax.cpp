{{ cookiecutter.__cpp_license_header }}

// softmax: out = exp(x - max) / sum(exp(x - max)) along dim (stable).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_softmax(const KernelContext& context) {
  kernel_util::softmax_float(
      context,
      context.attr_int(schema::softmax::kAttrDim),
      /*log_result=*/false);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
