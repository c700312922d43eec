{{ cookiecutter.__cpp_license_header }}

// convolution on int8 (conv1d, conv2d, grouped and depthwise), as TFLite's
// reference_integer_ops::ConvPerChannel and DepthwiseConvPerChannel, in
// their loop order: one output element at a time, the sum over its
// receptive field, then requantization:
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
//
// Init (prepare_convolution_int8) does what does not change between calls:
// the weights minus their zero points, the multiplier of each output
// channel, and a scratch buffer for one receptive field (the "patch"). Each
// call then gathers the patch of an output position once, as x - x_zp with 0
// in the padding, and takes its dot product with the weights of every output
// channel of its group: the weights' own [in_channels / groups, kh, kw]
// order, so the sum is a plain loop over two int16 arrays.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

using executorch::runtime::Error;
using executorch::runtime::MemoryAllocator;

namespace {

struct ConvolutionInt8State {
  // [out_channels][patch_size]: w - w_zp[oc], in [-255, 255]. Filled at init
  // from a constant weight, and on every call from any other.
  int16_t* weights = nullptr;
  bool constant_weights = false;
  // Per output channel: x_scale * w_scale[oc] / out_scale.
  kernel_util::QuantizedMultiplier* multipliers = nullptr;
  // One receptive field: [in_channels / groups][kh][kw] of x - x_zp.
  int16_t* patch = nullptr;
  size_t patch_size = 0;
};

void center_weights(const KernelContext& context, ConvolutionInt8State& s) {
  using namespace schema::convolution;
  const TensorInfo& w_info = context.input_info(kInputWeight);
  const int8_t* weight = context.input<int8_t>(kInputWeight);
  for (size_t i = 0; i < w_info.numel; ++i) {
    const size_t oc = i / s.patch_size;
    s.weights[i] = static_cast<int16_t>(
        int32_t(weight[i]) -
        kernel_util::channel_qparam(w_info, oc).zero_point);
  }
}

} // namespace

Error prepare_convolution_int8(
    const KernelContext& context,
    MemoryAllocator& allocator,
    void** state) {
  using namespace schema::convolution;
  const TensorInfo& w_info = context.input_info(kInputWeight);
  const size_t out_channels = w_info.shape.dim(0);
  auto* s = allocator.allocateInstance<ConvolutionInt8State>();
  if (s == nullptr) {
    return Error::MemoryAllocationFailed;
  }
  *s = ConvolutionInt8State{};
  s->patch_size = out_channels == 0 ? 0 : w_info.numel / out_channels;
  s->weights = kernel_util::allocate<int16_t>(allocator, w_info.numel);
  s->multipliers = kernel_util::allocate<kernel_util::QuantizedMultiplier>(
      allocator, out_channels);
  s->patch = kernel_util::allocate<int16_t>(allocator, s->patch_size);
  if (s->weights == nullptr || s->multipliers == nullptr ||
      s->patch == nullptr) {
    return Error::MemoryAllocationFailed;
  }
  kernel_util::channel_multipliers(
      context.input_info(kInputInput),
      w_info,
      context.output_info(),
      out_channels,
      s->multipliers);
  s->constant_weights = w_info.source == TensorSource::Constant;
  if (s->constant_weights) {
    center_weights(context, *s);
  }
  *state = s;
  return Error::Ok;
}

void run_convolution_int8(const KernelContext& context) {
  using namespace schema::convolution;
  ConvolutionInt8State& s = context.prepared<ConvolutionInt8State>();
  if (!s.constant_weights) {
    center_weights(context, s);
  }
  const kernel_util::ConvGeometry g =
      kernel_util::convolution_geometry(context);
  const int8_t* x = context.input<int8_t>(kInputInput);
  const int32_t* bias = context.input<int32_t>(kInputBias); // null if absent
  int8_t* out = context.output<int8_t>();
  const int32_t x_zero =
      kernel_util::per_tensor(context.input_info(kInputInput)).zero_point;
  const int32_t out_zero =
      kernel_util::per_tensor(context.output_info()).zero_point;
  const size_t in_per_group = g.in_channels / g.groups;
  const size_t out_per_group = g.out_channels / g.groups;
  const size_t in_plane = g.in_h * g.in_w;
  const size_t out_plane = g.out_h * g.out_w;

  for (size_t n = 0; n < g.batch; ++n) {
    for (size_t group = 0; group < g.groups; ++group) {
      const int8_t* x_group =
          x + (n * g.in_channels + group * in_per_group) * in_plane;
      for (size_t oy = 0; oy < g.out_h; ++oy) {
        for (size_t ox = 0; ox < g.out_w; ++ox) {
          // The receptive field of (oy, ox): input row oy * stride - pad +
          // ky * dilation, and likewise for columns.
          int16_t* patch = s.patch;
          for (size_t ci = 0; ci < in_per_group; ++ci) {
            const int8_t* x_plane = x_group + ci * in_plane;
            for (size_t ky = 0; ky < g.kernel_h; ++ky) {
              const int64_t iy =
                  int64_t(oy * g.stride_h + ky * g.dilation_h) - g.pad_h;
              for (size_t kx = 0; kx < g.kernel_w; ++kx) {
                const int64_t ix =
                    int64_t(ox * g.stride_w + kx * g.dilation_w) - g.pad_w;
                const bool inside = iy >= 0 && iy < int64_t(g.in_h) &&
                    ix >= 0 && ix < int64_t(g.in_w);
                *patch++ = inside
                    ? static_cast<int16_t>(
                          int32_t(x_plane[size_t(iy) * g.in_w + size_t(ix)]) -
                          x_zero)
                    : 0;
              }
            }
          }
          for (size_t co = 0; co < out_per_group; ++co) {
            const size_t oc = group * out_per_group + co;
            const int16_t* w = s.weights + oc * s.patch_size;
            int32_t acc = bias != nullptr ? bias[oc] : 0;
            for (size_t k = 0; k < s.patch_size; ++k) {
              acc += int32_t(s.patch[k]) * int32_t(w[k]);
            }
            out[(n * g.out_channels + oc) * out_plane + oy * g.out_w + ox] =
                kernel_util::requantize_accumulator(
                    acc, s.multipliers[oc], out_zero);
          }
        }
      }
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
