{{ cookiecutter.__cpp_license_header }}

// mm: out[n, m] = self[n, k] @ mat2[k, m].

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_mm(const KernelContext& context) {
  using namespace schema::mm;
  const Shape& a = context.input_info(kInputSelf).shape;
  const Shape& b = context.input_info(kInputMat2).shape;
  kernel_util::matmul(
      context.input<float>(kInputSelf),
      context.input<float>(kInputMat2),
      context.output<float>(),
      a.dim(0),
      a.dim(1),
      b.dim(1));
}

} // namespace {{ cookiecutter.__cpp_namespace }}
