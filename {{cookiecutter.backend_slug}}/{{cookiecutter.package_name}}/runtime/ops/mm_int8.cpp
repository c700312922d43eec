{{ cookiecutter.__cpp_license_header }}

// mm on int8: out = requantize(sum_k (a - a_zp)(b - b_zp)), int32
// accumulation, per-tensor qparams (kernel_util::matmul_int8).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_mm_int8(const KernelContext& context) {
  using namespace schema::mm;
  const TensorInfo& a = context.input_info(kInputSelf);
  const TensorInfo& b = context.input_info(kInputMat2);
  kernel_util::matmul_int8(
      context.input<int8_t>(kInputSelf),
      context.input<int8_t>(kInputMat2),
      context.output<int8_t>(),
      a.shape.dim(0),
      a.shape.dim(1),
      b.shape.dim(1),
      kernel_util::per_tensor(a),
      kernel_util::per_tensor(b),
      kernel_util::per_tensor(context.output_info()));
}

} // namespace {{ cookiecutter.__cpp_namespace }}
