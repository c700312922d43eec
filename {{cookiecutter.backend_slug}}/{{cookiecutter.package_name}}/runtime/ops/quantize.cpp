{{ cookiecutter.__cpp_license_header }}

// quantize: float32 -> int8 with the output's per-tensor qparams, exactly as
// ExecuTorch's quantize_per_tensor (kernel_util::quantize_value).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_quantize(const KernelContext& context) {
  const QuantParam& q = kernel_util::per_tensor(context.output_info());
  const float* x = context.input<float>(schema::quantize::kInputInput);
  int8_t* out = context.output<int8_t>();
  const size_t count = context.output_info().numel;
  for (size_t i = 0; i < count; ++i) {
    out[i] = kernel_util::quantize_value(x[i], q);
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
