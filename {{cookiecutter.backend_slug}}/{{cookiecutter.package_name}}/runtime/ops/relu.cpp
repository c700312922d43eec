{{ cookiecutter.__cpp_license_header }}

// relu: out = max(x, 0); NaN propagates, as in torch.relu.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_relu(const KernelContext& context) {
  kernel_util::run_unary_float(
      context, [](float x) { return x < 0.0f ? 0.0f : x; });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
