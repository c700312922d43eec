{{ cookiecutter.__cpp_license_header }}

// rsqrt: out = 1 / sqrt(x) (inf at 0, NaN for x < 0, as in PyTorch).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_rsqrt(const KernelContext& context) {
  kernel_util::run_unary_float(
      context, [](float x) { return 1.0f / std::sqrt(x); });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
