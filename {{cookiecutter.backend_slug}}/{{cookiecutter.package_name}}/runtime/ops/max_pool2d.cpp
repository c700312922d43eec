{{ cookiecutter.__cpp_license_header }}

// max_pool2d: the maximum of each kernel_size window (with dilation) over the
// last two dimensions; padding never wins; NaN propagates, as in PyTorch.
// Output 0 (the values) of max_pool2d_with_indices. The windows are
// kernel_util::pool2d's (OpKernel.h).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>
#include <limits>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_max_pool2d(const KernelContext& context) {
  using namespace schema::max_pool2d;
  const kernel_util::Pool2dGeometry g = kernel_util::pool2d_geometry(
      context, kAttrKernelSize, kAttrStride, kAttrPadding, kAttrDilation);
  kernel_util::pool2d(
      g,
      context.input<float>(kInputSelf),
      context.output<float>(),
      [&](const float* src, const kernel_util::PoolWindow& w) {
        float best = -std::numeric_limits<float>::infinity();
        kernel_util::for_each_pool_tap(g, src, w, [&](float value) {
          if (!std::isnan(best) && (value > best || std::isnan(value))) {
            best = value;
          }
        });
        return best;
      });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
