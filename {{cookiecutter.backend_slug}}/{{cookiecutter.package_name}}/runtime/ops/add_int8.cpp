{{ cookiecutter.__cpp_license_header }}

// add on int8 (alpha 1), as TFLite's reference_integer_ops::Add (add.cc,
// AddFunc): both inputs are shifted left by 20 bits, rescaled to the common
// scale 2 * max(a_scale, b_scale), summed in int32, and the sum is
// requantized to the output's scale.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

namespace {
constexpr int kLeftShift = 20;
} // namespace

void run_add_int8(const KernelContext& context) {
  using namespace schema::add;
  const QuantParam qa = kernel_util::per_tensor(context.input_info(kInputSelf));
  const QuantParam qb =
      kernel_util::per_tensor(context.input_info(kInputOther));
  const QuantParam qout = kernel_util::per_tensor(context.output_info());
  const double twice_max = 2.0 * std::max(double(qa.scale), double(qb.scale));
  const kernel_util::QuantizedMultiplier ma =
      kernel_util::quantize_multiplier(double(qa.scale) / twice_max);
  const kernel_util::QuantizedMultiplier mb =
      kernel_util::quantize_multiplier(double(qb.scale) / twice_max);
  const kernel_util::QuantizedMultiplier mout =
      kernel_util::quantize_multiplier(
          twice_max / (double(1 << kLeftShift) * double(qout.scale)));
  kernel_util::broadcast_binary<int8_t>(
      [&](int8_t a, int8_t b) {
        const int64_t a_shifted = (int64_t(a) - qa.zero_point) << kLeftShift;
        const int64_t b_shifted = (int64_t(b) - qb.zero_point) << kLeftShift;
        const int64_t sum =
            int64_t(
                kernel_util::multiply_by_quantized_multiplier(a_shifted, ma)) +
            kernel_util::multiply_by_quantized_multiplier(b_shifted, mb);
        return kernel_util::saturate_int8(
            int64_t(qout.zero_point) +
            kernel_util::multiply_by_quantized_multiplier(sum, mout));
      },
      context.input<int8_t>(kInputSelf),
      context.input_info(kInputSelf).shape,
      context.input<int8_t>(kInputOther),
      context.input_info(kInputOther).shape,
      context.output<int8_t>(),
      context.output_info().shape);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
