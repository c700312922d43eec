{{ cookiecutter.__cpp_license_header }}

// add_scalar (add.Scalar): out = x + alpha * other for a number other, in
// float32 as PyTorch computes it.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_add_scalar(const KernelContext& context) {
  using namespace schema::add_scalar;
  const float addend = static_cast<float>(context.attr_float(kAttrAlpha)) *
      static_cast<float>(context.attr_float(kAttrOther));
  kernel_util::run_unary_float(
      context, [addend](float x) { return x + addend; });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
