{{ cookiecutter.__cpp_license_header }}

// linear on int8, as TFLite's reference_integer_ops::FullyConnected (with
// per-channel weights, as its per-channel conv):
//   acc[o] = bias[o] + sum_i (x[i] - x_zp) * (w[o, i] - w_zp[o])   (int32)
//   out[o] = saturate(out_zp + round(acc[o] * x_scale * w_scale[o] /
//   out_scale))
// The bias is int32 with scale x_scale * w_scale[o] and zero point 0
// (preprocess quantizes a float bias so); the weights are per tensor or per
// channel along axis 0; the rounding is kernel_util's (OpKernel.h). Init
// (prepare_linear_int8) computes the multiplier of each output channel.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

using executorch::runtime::Error;
using executorch::runtime::MemoryAllocator;

namespace {

// What init prepares: the multiplier of each output channel,
// x_scale * w_scale[o] / out_scale.
struct LinearInt8State {
  kernel_util::QuantizedMultiplier* multipliers = nullptr;
};

} // namespace

Error prepare_linear_int8(
    const KernelContext& context,
    MemoryAllocator& allocator,
    void** state) {
  using namespace schema::linear;
  const TensorInfo& w_info = context.input_info(kInputWeight);
  const size_t out_features = w_info.shape.dim(0);
  auto* s = allocator.allocateInstance<LinearInt8State>();
  if (s == nullptr) {
    return Error::MemoryAllocationFailed;
  }
  s->multipliers = kernel_util::allocate<kernel_util::QuantizedMultiplier>(
      allocator, out_features);
  if (s->multipliers == nullptr) {
    return Error::MemoryAllocationFailed;
  }
  kernel_util::channel_multipliers(
      context.input_info(kInputInput),
      w_info,
      context.output_info(),
      out_features,
      s->multipliers);
  *state = s;
  return Error::Ok;
}

void run_linear_int8(const KernelContext& context) {
  using namespace schema::linear;
  const LinearInt8State& s = context.prepared<LinearInt8State>();
  const int8_t* x = context.input<int8_t>(kInputInput);
  const int8_t* weight = context.input<int8_t>(kInputWeight);
  const int32_t* bias = context.input<int32_t>(kInputBias); // null if absent
  int8_t* out = context.output<int8_t>();
  const TensorInfo& w_info = context.input_info(kInputWeight);
  const int32_t x_zero =
      kernel_util::per_tensor(context.input_info(kInputInput)).zero_point;
  const int32_t out_zero =
      kernel_util::per_tensor(context.output_info()).zero_point;
  const size_t out_features = w_info.shape.dim(0);
  const size_t in_features = w_info.shape.dim(1);
  const size_t rows =
      out_features == 0 ? 0 : context.output_info().numel / out_features;

  for (size_t r = 0; r < rows; ++r) {
    const int8_t* x_row = x + r * in_features;
    for (size_t o = 0; o < out_features; ++o) {
      const int8_t* w_row = weight + o * in_features;
      const int32_t w_zero = kernel_util::channel_qparam(w_info, o).zero_point;
      int32_t acc = bias != nullptr ? bias[o] : 0;
      for (size_t i = 0; i < in_features; ++i) {
        acc += (int32_t(x_row[i]) - x_zero) * (int32_t(w_row[i]) - w_zero);
      }
      out[r * out_features + o] =
          kernel_util::requantize_accumulator(acc, s.multipliers[o], out_zero);
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
