{{ cookiecutter.__cpp_license_header }}

// sqrt: out = sqrt(x) (NaN for x < 0, as in PyTorch).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_sqrt(const KernelContext& context) {
  kernel_util::run_unary_float(context, [](float x) { return std::sqrt(x); });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
