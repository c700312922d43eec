{{ cookiecutter.__cpp_license_header }}

// adaptive_avg_pool2d: the mean of each adaptive window over the last two
// dimensions, output_size windows per plane as PyTorch's
// (kernel_util::adaptive_pool2d, OpKernel.h).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_adaptive_avg_pool2d(const KernelContext& context) {
  using namespace schema::adaptive_avg_pool2d;
  kernel_util::adaptive_pool2d(
      context,
      context.input<float>(kInputSelf),
      context.output<float>(),
      [](const float* src, int64_t in_w, const kernel_util::AdaptiveWindow& w) {
        double sum = 0.0;
        kernel_util::for_each_adaptive_tap(
            src, in_w, w, [&](float value) { sum += value; });
        return static_cast<float>(sum / double(w.count()));
      });
}

} // namespace {{ cookiecutter.__cpp_namespace }}
