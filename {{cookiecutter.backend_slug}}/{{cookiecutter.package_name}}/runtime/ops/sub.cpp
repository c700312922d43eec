{{ cookiecutter.__cpp_license_header }}

// sub: out = self - alpha * other, broadcasting like PyTorch.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_sub(const KernelContext& context) {
  const float alpha =
      static_cast<float>(context.attr_float(schema::sub::kAttrAlpha));
  kernel_util::run_broadcast_float(
      context, [alpha](float a, float b) { return a - alpha * b; });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
