{{ cookiecutter.__cpp_license_header }}

// adaptive_avg_pool2d on int8, as avg_pool2d_int8 (TFLite's
// reference_integer_ops::AveragePool, requantized as its Mean) with the
// adaptive windows of the float kernel; the divisor is the window's size:
//   acc = round(sum(x - x_zp) * x_scale / out_scale)   (fixed point)
//   out = saturate(out_zp + round_half_away(acc / window size))

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_adaptive_avg_pool2d_int8(const KernelContext& context) {
  using namespace schema::adaptive_avg_pool2d;
  const QuantParam& qx =
      kernel_util::per_tensor(context.input_info(kInputSelf));
  const QuantParam& qout = kernel_util::per_tensor(context.output_info());
  const kernel_util::QuantizedMultiplier multiplier =
      kernel_util::quantize_multiplier(double(qx.scale) / double(qout.scale));
  kernel_util::adaptive_pool2d(
      context,
      context.input<int8_t>(kInputSelf),
      context.output<int8_t>(),
      [&](const int8_t* src,
          int64_t in_w,
          const kernel_util::AdaptiveWindow& w) {
        int64_t sum = 0;
        kernel_util::for_each_adaptive_tap(src, in_w, w, [&](int8_t value) {
          sum += int64_t(value) - qx.zero_point;
        });
        return kernel_util::saturate_int8(
            int64_t(qout.zero_point) +
            kernel_util::divide_round_half_away(
                kernel_util::multiply_by_quantized_multiplier(sum, multiplier),
                w.count()));
      });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
