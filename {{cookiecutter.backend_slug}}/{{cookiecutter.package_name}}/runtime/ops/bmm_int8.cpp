{{ cookiecutter.__cpp_license_header }}

// bmm on int8: mm_int8 on each of the batch matrices.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_bmm_int8(const KernelContext& context) {
  using namespace schema::bmm;
  const TensorInfo& a = context.input_info(kInputSelf);
  const TensorInfo& b = context.input_info(kInputMat2);
  const size_t batch = a.shape.dim(0);
  const size_t n = a.shape.dim(1);
  const size_t k = a.shape.dim(2);
  const size_t m = b.shape.dim(2);
  const int8_t* lhs = context.input<int8_t>(kInputSelf);
  const int8_t* rhs = context.input<int8_t>(kInputMat2);
  int8_t* out = context.output<int8_t>();
  for (size_t i = 0; i < batch; ++i) {
    kernel_util::matmul_int8(
        lhs + i * n * k,
        rhs + i * k * m,
        out + i * n * m,
        n,
        k,
        m,
        kernel_util::per_tensor(a),
        kernel_util::per_tensor(b),
        kernel_util::per_tensor(context.output_info()));
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
