{{ cookiecutter.__cpp_license_header }}

// avg_pool2d: the mean of each kernel_size window over the last two
// dimensions, with stride (empty: kernel_size), padding, ceil_mode,
// count_include_pad and divisor_override (0: none), as PyTorch computes it.
// The windows are kernel_util::pool2d's (OpKernel.h).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_avg_pool2d(const KernelContext& context) {
  using namespace schema::avg_pool2d;
  const kernel_util::Pool2dGeometry g = kernel_util::pool2d_geometry(
      context, kAttrKernelSize, kAttrStride, kAttrPadding, -1);
  kernel_util::pool2d(
      g,
      context.input<float>(kInputSelf),
      context.output<float>(),
      [&](const float* src, const kernel_util::PoolWindow& w) {
        double sum = 0.0;
        kernel_util::for_each_pool_tap(
            g, src, w, [&](float value) { sum += value; });
        return static_cast<float>(
            sum / double(kernel_util::avg_pool2d_divisor(context, w)));
      });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
