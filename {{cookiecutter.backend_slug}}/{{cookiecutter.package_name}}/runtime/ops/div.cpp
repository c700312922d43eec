{{ cookiecutter.__cpp_license_header }}

// div: out = self / other (true division), broadcasting like PyTorch.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_div(const KernelContext& context) {
  kernel_util::run_broadcast_float(
      context, [](float a, float b) { return a / b; });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
