{{ cookiecutter.__cpp_license_header }}

// avg_pool2d on int8, as TFLite's reference_integer_ops::AveragePool: the
// int32 sum of a window divided by its divisor (divisor_override, or the taps
// with or without the padding, as the float kernel), rounding half away from
// zero. TFLite's kernel takes one set of qparams for input and output; here
// the sum is of (x - x_zp) and is requantized to the output's qparams first,
// as TFLite's reference_integer_ops::Mean does:
//   acc = round(sum(x - x_zp) * x_scale / out_scale)   (fixed point)
//   out = saturate(out_zp + round_half_away(acc / divisor))
// Padding taps are x_zp (a real 0): they add nothing to the sum.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_avg_pool2d_int8(const KernelContext& context) {
  using namespace schema::avg_pool2d;
  const kernel_util::Pool2dGeometry g = kernel_util::pool2d_geometry(
      context, kAttrKernelSize, kAttrStride, kAttrPadding, -1);
  const QuantParam& qx =
      kernel_util::per_tensor(context.input_info(kInputSelf));
  const QuantParam& qout = kernel_util::per_tensor(context.output_info());
  const kernel_util::QuantizedMultiplier multiplier =
      kernel_util::quantize_multiplier(double(qx.scale) / double(qout.scale));
  kernel_util::pool2d(
      g,
      context.input<int8_t>(kInputSelf),
      context.output<int8_t>(),
      [&](const int8_t* src, const kernel_util::PoolWindow& w) {
        int32_t sum = 0;
        kernel_util::for_each_pool_tap(g, src, w, [&](int8_t value) {
          sum += int32_t(value) - qx.zero_point;
        });
        const int64_t divisor = kernel_util::avg_pool2d_divisor(context, w);
        return kernel_util::saturate_int8(
            int64_t(qout.zero_point) +
            kernel_util::divide_round_half_away(
                kernel_util::multiply_by_quantized_multiplier(sum, multiplier),
                divisor));
      });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
