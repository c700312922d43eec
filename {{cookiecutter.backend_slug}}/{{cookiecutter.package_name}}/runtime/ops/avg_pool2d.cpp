{{ cookiecutter.__cpp_license_header }}

// avg_pool2d: the mean of each kernel_size window over the last two
// dimensions, with stride (empty: kernel_size), padding, ceil_mode,
// count_include_pad and divisor_override (0: none), as PyTorch computes it.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <algorithm>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_avg_pool2d(const KernelContext& context) {
  using namespace schema::avg_pool2d;
  const Shape& in = context.input_info(kInputSelf).shape;
  const Shape& out_shape = context.output_info().shape;
  const std::vector<int64_t>& kernel = context.attr_ints(kAttrKernelSize);
  const std::vector<int64_t>& stride_attr = context.attr_ints(kAttrStride);
  const std::vector<int64_t>& stride =
      stride_attr.empty() ? kernel : stride_attr;
  const std::vector<int64_t>& padding = context.attr_ints(kAttrPadding);
  const bool count_include_pad = context.attr_bool(kAttrCountIncludePad);
  const int64_t divisor_override = context.attr_int(kAttrDivisorOverride);
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
        int64_t y0 = oy * stride[0] - padding[0];
        int64_t x0 = ox * stride[1] - padding[1];
        int64_t y1 = std::min(y0 + kernel[0], in_h + padding[0]);
        int64_t x1 = std::min(x0 + kernel[1], in_w + padding[1]);
        const int64_t padded_size = (y1 - y0) * (x1 - x0);
        y0 = std::max<int64_t>(y0, 0);
        x0 = std::max<int64_t>(x0, 0);
        y1 = std::min(y1, in_h);
        x1 = std::min(x1, in_w);
        double sum = 0.0;
        for (int64_t y = y0; y < y1; ++y) {
          for (int64_t xx = x0; xx < x1; ++xx) {
            sum += src[y * in_w + xx];
          }
        }
        const int64_t divisor = divisor_override != 0 ? divisor_override
            : count_include_pad                       ? padded_size
                                                      : (y1 - y0) * (x1 - x0);
        dst[oy * out_w + ox] = static_cast<float>(sum / double(divisor));
      }
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
