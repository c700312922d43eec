{{ cookiecutter.__cpp_license_header }}

// tanh: out = tanh(x).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_tanh(const KernelContext& context) {
  kernel_util::run_unary_float(context, [](float x) { return std::tanh(x); });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
