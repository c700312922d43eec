{{ cookiecutter.__cpp_license_header }}

// max_pool2d on int8, as TFLite's reference_integer_ops::MaxPool: the
// largest int8 value of each window (the scale is positive, so the largest
// code is the largest real value); padding never wins. The quantizer gives
// the output its input's qparams, and the kernel is then exact; other
// qparams are requantized as relu_int8 does:
//   out = saturate(out_zp + round((max - x_zp) * x_scale / out_scale))

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_max_pool2d_int8(const KernelContext& context) {
  using namespace schema::max_pool2d;
  const kernel_util::Pool2dGeometry g = kernel_util::pool2d_geometry(
      context, kAttrKernelSize, kAttrStride, kAttrPadding, kAttrDilation);
  const QuantParam& qx =
      kernel_util::per_tensor(context.input_info(kInputSelf));
  const QuantParam& qout = kernel_util::per_tensor(context.output_info());
  const kernel_util::QuantizedMultiplier multiplier =
      kernel_util::quantize_multiplier(double(qx.scale) / double(qout.scale));
  const bool same_qparams =
      qx.scale == qout.scale && qx.zero_point == qout.zero_point;
  kernel_util::pool2d(
      g,
      context.input<int8_t>(kInputSelf),
      context.output<int8_t>(),
      [&](const int8_t* src, const kernel_util::PoolWindow& w) {
        int32_t best = -128;
        kernel_util::for_each_pool_tap(g, src, w, [&](int8_t value) {
          best = std::max<int32_t>(best, value);
        });
        if (same_qparams) {
          return static_cast<int8_t>(best);
        }
        return kernel_util::saturate_int8(
            int64_t(qout.zero_point) +
            kernel_util::multiply_by_quantized_multiplier(
                int64_t(best) - qx.zero_point, multiplier));
      });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
