{{ cookiecutter.__cpp_license_header }}

// mul on int8, as TFLite's reference_integer_ops::Mul:
//   out = saturate(out_zp + round((a - a_zp)(b - b_zp) * a_scale * b_scale /
//   out_scale))

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_mul_int8(const KernelContext& context) {
  using namespace schema::mul;
  const QuantParam qa = kernel_util::per_tensor(context.input_info(kInputSelf));
  const QuantParam qb =
      kernel_util::per_tensor(context.input_info(kInputOther));
  const QuantParam qout = kernel_util::per_tensor(context.output_info());
  const kernel_util::QuantizedMultiplier multiplier =
      kernel_util::quantize_multiplier(
          double(qa.scale) * double(qb.scale) / double(qout.scale));
  kernel_util::broadcast_binary<int8_t>(
      [&](int8_t a, int8_t b) {
        const int32_t product =
            (int32_t(a) - qa.zero_point) * (int32_t(b) - qb.zero_point);
        return kernel_util::saturate_int8(
            int64_t(qout.zero_point) +
            kernel_util::multiply_by_quantized_multiplier(product, multiplier));
      },
      context.input<int8_t>(kInputSelf),
      context.input_info(kInputSelf).shape,
      context.input<int8_t>(kInputOther),
      context.input_info(kInputOther).shape,
      context.output<int8_t>(),
      context.output_info().shape);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
