{{ cookiecutter.__cpp_license_header }}

// clamp (also hardtanh and relu6): out = min(max(x, min), max). An absent
// bound is -inf or +inf; NaN inputs stay NaN, and when min > max every element
// becomes max, as in torch.clamp.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_clamp(const KernelContext& context) {
  const float low =
      static_cast<float>(context.attr_float(schema::clamp::kAttrMin));
  const float high =
      static_cast<float>(context.attr_float(schema::clamp::kAttrMax));
  kernel_util::run_unary_float(context, [low, high](float x) {
    // Comparisons with NaN are false, so a NaN input passes through.
    x = x < low ? low : x;
    return x > high ? high : x;
  });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
