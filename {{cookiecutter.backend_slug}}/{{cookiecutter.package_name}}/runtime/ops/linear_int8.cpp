{{ cookiecutter.__cpp_license_header }}

// linear on int8, as TFLite's reference_integer_ops::FullyConnected (with
// per-channel weights, as its per-channel conv):
//   acc[o] = bias[o] + sum_i (x[i] - x_zp) * (w[o, i] - w_zp[o])   (int32)
//   out[o] = saturate(out_zp + round(acc[o] * x_scale * w_scale[o] /
//   out_scale))
// The bias is int32 with scale x_scale * w_scale[o] and zero point 0
// (preprocess quantizes a float bias so); the weights are per tensor or per
// channel along axis 0; the rounding is kernel_util's (OpKernel.h).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_linear_int8(const KernelContext& context) {
  using namespace schema::linear;
  const int8_t* x = context.input<int8_t>(kInputInput);
  const int8_t* weight = context.input<int8_t>(kInputWeight);
  const int32_t* bias = context.input<int32_t>(kInputBias); // null if absent
  int8_t* out = context.output<int8_t>();
  const TensorInfo& w_info = context.input_info(kInputWeight);
  const QuantParam& qx =
      kernel_util::per_tensor(context.input_info(kInputInput));
  const QuantParam& qout = kernel_util::per_tensor(context.output_info());
  const size_t out_features = w_info.shape.dim(0);
  const size_t in_features = w_info.shape.dim(1);
  const size_t rows =
      out_features == 0 ? 0 : context.output_info().numel / out_features;

  // One multiplier per output channel: x_scale * w_scale[o] / out_scale,
  // computed in double as TFLite does.
  std::vector<kernel_util::QuantizedMultiplier> multipliers(out_features);
  for (size_t o = 0; o < out_features; ++o) {
    multipliers[o] = kernel_util::quantize_multiplier(
        double(qx.scale) *
        double(kernel_util::channel_qparam(w_info, o).scale) /
        double(qout.scale));
  }
  for (size_t r = 0; r < rows; ++r) {
    const int8_t* x_row = x + r * in_features;
    for (size_t o = 0; o < out_features; ++o) {
      const int8_t* w_row = weight + o * in_features;
      const int32_t w_zero = kernel_util::channel_qparam(w_info, o).zero_point;
      int32_t acc = bias != nullptr ? bias[o] : 0;
      for (size_t i = 0; i < in_features; ++i) {
        acc +=
            (int32_t(x_row[i]) - qx.zero_point) * (int32_t(w_row[i]) - w_zero);
      }
      out[r * out_features + o] = kernel_util::saturate_int8(
          int64_t(qout.zero_point) +
          kernel_util::multiply_by_quantized_multiplier(acc, multipliers[o]));
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
