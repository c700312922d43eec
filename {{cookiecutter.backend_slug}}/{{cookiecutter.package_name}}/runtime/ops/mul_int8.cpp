{{ cookiecutter.__cpp_license_header }}

// mul on int8, as TFLite's reference_integer_ops::Mul:
//   out = saturate(out_zp + round((a - a_zp)(b - b_zp) * a_scale * b_scale /
//   out_scale))

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_mul_int8(const KernelContext& context) {
  using namespace schema::mul;
  const kernel_util::QuantizedMultiplier multiplier =
      kernel_util::quantize_multiplier(
          double(
              kernel_util::per_tensor(context.input_info(kInputSelf)).scale) *
          double(
              kernel_util::per_tensor(context.input_info(kInputOther)).scale) /
          double(kernel_util::per_tensor(context.output_info()).scale));
  kernel_util::binary_int8(context, [&](int32_t a, int32_t b) {
    return kernel_util::multiply_by_quantized_multiplier(
        int64_t(a) * b, multiplier);
  });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
