{{ cookiecutter.__cpp_license_header }}

// mul_scalar (mul.Scalar): out = x * other for a number other.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_mul_scalar(const KernelContext& context) {
  using namespace schema::mul_scalar;
  const auto other = static_cast<float>(context.attr_float(kAttrOther));
  kernel_util::run_unary_float(context, [other](float x) { return x * other; });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
