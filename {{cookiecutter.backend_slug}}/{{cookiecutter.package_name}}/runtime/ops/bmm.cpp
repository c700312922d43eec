{{ cookiecutter.__cpp_license_header }}

// bmm: out[i] = self[i] @ mat2[i] for each of the batch matrices.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_bmm(const KernelContext& context) {
  using namespace schema::bmm;
  const Shape& a = context.input_info(kInputSelf).shape;
  const Shape& b = context.input_info(kInputMat2).shape;
  const size_t batch = a.dim(0);
  const size_t n = a.dim(1);
  const size_t k = a.dim(2);
  const size_t m = b.dim(2);
  const float* lhs = context.input<float>(kInputSelf);
  const float* rhs = context.input<float>(kInputMat2);
  float* out = context.output<float>();
  for (size_t i = 0; i < batch; ++i) {
    kernel_util::matmul(
        lhs + i * n * k, rhs + i * k * m, out + i * n * m, n, k, m);
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
