{{ cookiecutter.__cpp_license_header }}

// relu on int8 (TFLite reference): out = max(requantize(x), zero point of
// out). The quantizer gives relu its input's qparams, so requantization is
// the identity and the kernel is exact.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_relu_int8(const KernelContext& context) {
  kernel_util::requantize_clamp_int8(
      context, kernel_util::per_tensor(context.output_info()).zero_point, 127);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
