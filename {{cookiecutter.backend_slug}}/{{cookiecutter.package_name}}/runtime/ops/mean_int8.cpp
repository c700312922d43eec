{{ cookiecutter.__cpp_license_header }}

// mean on int8 (global average pooling, AdaptiveAvgPool2d((1, 1)) and any
// other dims), as TFLite's reference_integer_ops::Mean:
//   acc = round(sum(x - x_zp) * x_scale / out_scale)   (int32, fixed point)
//   out = saturate(out_zp + round_half_away(acc / count))
// count is the number of input elements per output element; the sum runs
// over kernel_util::reduce_sums's index walk (OpKernel.h), as the float mean.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_mean_int8(const KernelContext& context) {
  using namespace schema::mean;
  const int8_t* x = context.input<int8_t>(kInputSelf);
  const QuantParam& qx =
      kernel_util::per_tensor(context.input_info(kInputSelf));
  const QuantParam& qout = kernel_util::per_tensor(context.output_info());
  const kernel_util::QuantizedMultiplier multiplier =
      kernel_util::quantize_multiplier(double(qx.scale) / double(qout.scale));
  std::vector<int64_t> sums;
  const size_t count =
      kernel_util::reduce_sums<int64_t>(context, kAttrDim, sums, [&](size_t i) {
        return int64_t(x[i]) - qx.zero_point;
      });
  int8_t* out = context.output<int8_t>();
  for (size_t i = 0; i < sums.size(); ++i) {
    // The mean of no elements (NaN in float) is the output's zero point.
    out[i] = count == 0 ? kernel_util::saturate_int8(qout.zero_point)
                        : kernel_util::saturate_int8(
                              int64_t(qout.zero_point) +
                              kernel_util::divide_round_half_away(
                                  kernel_util::multiply_by_quantized_multiplier(
                                      sums[i], multiplier),
                                  int64_t(count)));
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
