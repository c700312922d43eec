{{ cookiecutter.__cpp_license_header }}

// convolution on int8 (conv1d, conv2d, grouped and depthwise), as TFLite's
// reference_integer_ops::ConvPerChannel and DepthwiseConvPerChannel:
//   acc[oc] = bias[oc] + sum over the taps of (x - x_zp) * (w - w_zp[oc])
//   (int32)
//   out = saturate(out_zp + round(acc * x_scale * w_scale[oc] / out_scale))
// Taps in the padding are left out, which is x = x_zp (a real 0). The bias
// is int32 with scale x_scale * w_scale[oc] and zero point 0 (preprocess
// quantizes a float bias so); the weights are per tensor or per output
// channel (axis 0); the rounding is kernel_util's (OpKernel.h). The parsers
// refuse an int8 transposed convolution: its weight's axis 0 holds the input
// channels, whose scales do not factor out of an output's sum, so it
// computes in float32 (the quantizer does not annotate it).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <algorithm>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_convolution_int8(const KernelContext& context) {
  using namespace schema::convolution;
  const kernel_util::ConvGeometry g =
      kernel_util::convolution_geometry(context);
  const int8_t* x = context.input<int8_t>(kInputInput);
  const int8_t* weight = context.input<int8_t>(kInputWeight);
  const int32_t* bias = context.input<int32_t>(kInputBias); // null if absent
  int8_t* out = context.output<int8_t>();
  const TensorInfo& w_info = context.input_info(kInputWeight);
  const QuantParam& qx =
      kernel_util::per_tensor(context.input_info(kInputInput));
  const QuantParam& qout = kernel_util::per_tensor(context.output_info());

  // The input and the weights minus their zero points (in [-255, 255]), and
  // one multiplier per output channel: x_scale * w_scale[oc] / out_scale,
  // computed in double as TFLite does. Held as int16: the compiler then
  // knows that the int32 stores to the accumulators change neither (int8 is
  // a char type, which may alias anything), and vectorizes the tap loop.
  const size_t per_channel =
      w_info.numel / (g.out_channels == 0 ? 1 : g.out_channels);
  std::vector<int16_t> w(w_info.numel);
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = static_cast<int16_t>(
        int32_t(weight[i]) -
        kernel_util::channel_qparam(w_info, i / per_channel).zero_point);
  }
  std::vector<kernel_util::QuantizedMultiplier> multipliers(g.out_channels);
  for (size_t oc = 0; oc < g.out_channels; ++oc) {
    multipliers[oc] = kernel_util::quantize_multiplier(
        double(qx.scale) *
        double(kernel_util::channel_qparam(w_info, oc).scale) /
        double(qout.scale));
  }

  const size_t out_plane = g.out_h * g.out_w;
  std::vector<int32_t> acc(context.output_info().numel);
  // Output plane p (of batch * out_channels) is channel p % out_channels.
  const size_t planes = g.batch * g.out_channels;
  for (size_t p = 0; p < planes && bias != nullptr; ++p) {
    std::fill_n(
        acc.begin() + p * out_plane, out_plane, bias[p % g.out_channels]);
  }
  std::vector<int16_t> x_centered(context.input_info(kInputInput).numel);
  for (size_t i = 0; i < x_centered.size(); ++i) {
    x_centered[i] = static_cast<int16_t>(int32_t(x[i]) - qx.zero_point);
  }
  int32_t* sums = acc.data();
  const int16_t* xs = x_centered.data();
  const int16_t* ws = w.data();
  kernel_util::for_each_convolution_tap(
      g, [=](size_t out_index, size_t x_index, size_t w_index) {
        sums[out_index] += int32_t(xs[x_index]) * int32_t(ws[w_index]);
      });
  for (size_t p = 0; p < planes; ++p) {
    const kernel_util::QuantizedMultiplier& m = multipliers[p % g.out_channels];
    for (size_t i = p * out_plane; i < (p + 1) * out_plane; ++i) {
      out[i] = kernel_util::saturate_int8(
          int64_t(qout.zero_point) +
          kernel_util::multiply_by_quantized_multiplier(acc[i], m));
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
