{{ cookiecutter.__cpp_license_header }}

// clamp (hardtanh, relu6) on int8: the float bounds are quantized with the
// output's qparams as quantize_per_tensor does (half to even), then
// out = clamp(requantize(x), low, high). With the shared qparams the
// quantizer gives clamping ops this equals dequantize -> clamp -> quantize.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_clamp_int8(const KernelContext& context) {
  using namespace schema::clamp;
  const QuantParam& qout = kernel_util::per_tensor(context.output_info());
  const int32_t low = kernel_util::quantize_value(
      static_cast<float>(context.attr_float(kAttrMin)), qout);
  const int32_t high = kernel_util::quantize_value(
      static_cast<float>(context.attr_float(kAttrMax)), qout);
  kernel_util::requantize_clamp_int8(context, low, high);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
