{{ cookiecutter.__cpp_license_header }}

// dequantize: int8 -> float32, (q - zero_point) * scale in float as
// ExecuTorch's dequantize_per_tensor / dequantize_per_channel do; the input
// is quantized per tensor or per channel.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_dequantize(const KernelContext& context) {
  const TensorInfo& info = context.input_info(schema::dequantize::kInputInput);
  const int8_t* x = context.input<int8_t>(schema::dequantize::kInputInput);
  float* out = context.output<float>();
  // Elements between consecutive channels, and the channel count.
  size_t inner = 1;
  size_t channels = 1;
  if (info.quant_scheme == QuantScheme::PerChannel) {
    const kernel_util::AroundDim axis =
        kernel_util::around_dim(info.shape, info.quant_axis);
    channels = axis.size;
    inner = axis.inner;
  }
  for (size_t i = 0; i < info.numel; ++i) {
    const QuantParam& q = info.qparams[(i / inner) % channels];
    out[i] = static_cast<float>(int32_t(x[i]) - q.zero_point) * q.scale;
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
