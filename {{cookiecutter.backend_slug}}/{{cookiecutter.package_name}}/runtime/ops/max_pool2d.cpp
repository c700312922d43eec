{{ cookiecutter.__cpp_license_header }}

// max_pool2d: the maximum of each kernel_size window (with dilation) over the
// last two dimensions; padding never wins; NaN propagates, as in PyTorch.
// Output 0 (the values) of max_pool2d_with_indices.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <cmath>
#include <limits>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_max_pool2d(const KernelContext& context) {
  using namespace schema::max_pool2d;
  const Shape& in = context.input_info(kInputSelf).shape;
  const Shape& out_shape = context.output_info().shape;
  const std::vector<int64_t>& kernel = context.attr_ints(kAttrKernelSize);
  const std::vector<int64_t>& stride_attr = context.attr_ints(kAttrStride);
  const std::vector<int64_t>& stride =
      stride_attr.empty() ? kernel : stride_attr;
  const std::vector<int64_t>& padding = context.attr_ints(kAttrPadding);
  const std::vector<int64_t>& dilation = context.attr_ints(kAttrDilation);
  const int64_t in_h = in.dim(in.rank - 2);
  const int64_t in_w = in.dim(in.rank - 1);
  const int64_t out_h = out_shape.dim(out_shape.rank - 2);
  const int64_t out_w = out_shape.dim(out_shape.rank - 1);
  const size_t planes = in_h * in_w == 0
      ? 0
      : context.input_info(kInputSelf).numel / size_t(in_h * in_w);
  const float* x = context.input<float>(kInputSelf);
  float* out = context.output<float>();
  for (size_t plane = 0; plane < planes; ++plane) {
    const float* src = x + plane * in_h * in_w;
    float* dst = out + plane * out_h * out_w;
    for (int64_t oy = 0; oy < out_h; ++oy) {
      for (int64_t ox = 0; ox < out_w; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t ky = 0; ky < kernel[0]; ++ky) {
          const int64_t y = oy * stride[0] - padding[0] + ky * dilation[0];
          if (y < 0 || y >= in_h) {
            continue;
          }
          for (int64_t kx = 0; kx < kernel[1]; ++kx) {
            const int64_t xx = ox * stride[1] - padding[1] + kx * dilation[1];
            if (xx < 0 || xx >= in_w) {
              continue;
            }
            const float value = src[y * in_w + xx];
            if (value > best || std::isnan(value)) {
              best = value;
            }
            if (std::isnan(best)) {
              break;
            }
          }
        }
        dst[oy * out_w + ox] = best;
      }
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
