{{ cookiecutter.__cpp_license_header }}

// minimum: out = min(a, b) with broadcasting; NaN if either is NaN.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_minimum(const KernelContext& context) {
  kernel_util::run_broadcast_float(context, [](float a, float b) {
    return (std::isnan(a) || std::isnan(b)) ? NAN : (a < b ? a : b);
  });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
