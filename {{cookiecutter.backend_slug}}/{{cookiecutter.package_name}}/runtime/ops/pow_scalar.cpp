{{ cookiecutter.__cpp_license_header }}

// pow_scalar (pow.Tensor_Scalar): out = x ** exponent. The exponents PyTorch
// special-cases (2, 3, 0.5, -0.5, -1, -2) are computed as it does (x * x for
// 2); others with std::pow in double.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_pow_scalar(const KernelContext& context) {
  using namespace schema::pow_scalar;
  const double exponent = context.attr_float(kAttrExponent);
  if (exponent == 2.0) {
    kernel_util::run_unary_float(context, [](float x) { return x * x; });
  } else if (exponent == 3.0) {
    kernel_util::run_unary_float(context, [](float x) { return x * x * x; });
  } else if (exponent == 0.5) {
    kernel_util::run_unary_float(context, [](float x) { return std::sqrt(x); });
  } else if (exponent == -0.5) {
    kernel_util::run_unary_float(
        context, [](float x) { return 1.0f / std::sqrt(x); });
  } else if (exponent == -1.0) {
    kernel_util::run_unary_float(context, [](float x) { return 1.0f / x; });
  } else if (exponent == -2.0) {
    kernel_util::run_unary_float(
        context, [](float x) { return 1.0f / (x * x); });
  } else {
    kernel_util::run_unary_float(context, [exponent](float x) {
      return static_cast<float>(std::pow(double(x), exponent));
    });
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
