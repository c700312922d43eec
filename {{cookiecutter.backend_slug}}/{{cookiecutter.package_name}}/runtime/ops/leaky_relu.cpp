{{ cookiecutter.__cpp_license_header }}

// leaky_relu: out = x for x > 0, else negative_slope * x.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_leaky_relu(const KernelContext& context) {
  const float slope = static_cast<float>(
      context.attr_float(schema::leaky_relu::kAttrNegativeSlope));
  kernel_util::run_unary_float(
      context, [slope](float x) { return x > 0.0f ? x : x * slope; });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
