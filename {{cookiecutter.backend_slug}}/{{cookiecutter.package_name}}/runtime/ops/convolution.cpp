{{ cookiecutter.__cpp_license_header }}

// convolution: aten.convolution over 1 or 2 spatial dimensions (conv1d,
// conv2d, depthwise, transposed), with stride, padding, dilation and groups;
// the bias is optional. A 1-D convolution runs as a 2-D one of height 1.
// Accumulates in double: the reference should be the accurate answer.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <algorithm>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

namespace {

// Geometry of one convolution with the spatial dimensions as [h, w].
struct ConvGeometry {
  size_t batch, in_channels, out_channels, groups;
  size_t in_h, in_w, out_h, out_w, kernel_h, kernel_w;
  size_t stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_h, pad_w;
};

ConvGeometry geometry(const KernelContext& context) {
  using namespace schema::convolution;
  const Shape& x = context.input_info(kInputInput).shape;
  const Shape& w = context.input_info(kInputWeight).shape;
  const Shape& out = context.output_info().shape;
  const std::vector<int64_t>& stride = context.attr_ints(kAttrStride);
  const std::vector<int64_t>& padding = context.attr_ints(kAttrPadding);
  const std::vector<int64_t>& dilation = context.attr_ints(kAttrDilation);
  const bool is_2d = x.rank == 4;
  ConvGeometry g{};
  g.batch = x.dim(0);
  g.in_channels = x.dim(1);
  g.out_channels = out.dim(1);
  g.groups = static_cast<size_t>(context.attr_int(kAttrGroups));
  g.in_h = is_2d ? x.dim(2) : 1;
  g.in_w = x.dim(x.rank - 1);
  g.out_h = is_2d ? out.dim(2) : 1;
  g.out_w = out.dim(out.rank - 1);
  g.kernel_h = is_2d ? w.dim(2) : 1;
  g.kernel_w = w.dim(w.rank - 1);
  g.stride_h = is_2d ? stride[0] : 1;
  g.stride_w = stride.back();
  g.dilation_h = is_2d ? dilation[0] : 1;
  g.dilation_w = dilation.back();
  g.pad_h = is_2d ? padding[0] : 0;
  g.pad_w = padding.back();
  return g;
}

// out[n, oc, oy, ox] = bias[oc] + sum over the group's input channels and
// the kernel of x[n, ic, oy * s - p + ky * d, ...] * w[oc, ic', ky, kx].
void convolve(
    const ConvGeometry& g,
    const float* x,
    const float* w,
    const float* bias,
    float* out) {
  const size_t in_per_group = g.in_channels / g.groups;
  const size_t out_per_group = g.out_channels / g.groups;
  for (size_t n = 0; n < g.batch; ++n) {
    for (size_t oc = 0; oc < g.out_channels; ++oc) {
      const size_t first_ic = (oc / out_per_group) * in_per_group;
      for (size_t oy = 0; oy < g.out_h; ++oy) {
        for (size_t ox = 0; ox < g.out_w; ++ox) {
          double acc = bias != nullptr ? bias[oc] : 0.0;
          for (size_t c = 0; c < in_per_group; ++c) {
            const float* plane =
                x + (n * g.in_channels + first_ic + c) * g.in_h * g.in_w;
            const float* kernel =
                w + (oc * in_per_group + c) * g.kernel_h * g.kernel_w;
            for (size_t ky = 0; ky < g.kernel_h; ++ky) {
              const int64_t iy = int64_t(oy * g.stride_h) - g.pad_h +
                  int64_t(ky * g.dilation_h);
              if (iy < 0 || iy >= int64_t(g.in_h)) {
                continue;
              }
              for (size_t kx = 0; kx < g.kernel_w; ++kx) {
                const int64_t ix = int64_t(ox * g.stride_w) - g.pad_w +
                    int64_t(kx * g.dilation_w);
                if (ix < 0 || ix >= int64_t(g.in_w)) {
                  continue;
                }
                acc += double(plane[iy * g.in_w + ix]) *
                    double(kernel[ky * g.kernel_w + kx]);
              }
            }
          }
          out[((n * g.out_channels + oc) * g.out_h + oy) * g.out_w + ox] =
              static_cast<float>(acc);
        }
      }
    }
  }
}

// The transpose (gradient) of convolve: every input element scatters
// x[n, ic, iy, ix] * w[ic, oc', ky, kx] to out[n, oc, iy * s - p + ky * d,
// ...]; the weight is [in_channels, out_channels / groups, kh, kw].
void convolve_transposed(
    const ConvGeometry& g,
    const float* x,
    const float* w,
    const float* bias,
    float* out) {
  const size_t in_per_group = g.in_channels / g.groups;
  const size_t out_per_group = g.out_channels / g.groups;
  const size_t out_plane = g.out_h * g.out_w;
  std::vector<double> acc(g.out_channels * out_plane);
  for (size_t n = 0; n < g.batch; ++n) {
    for (size_t oc = 0; oc < g.out_channels; ++oc) {
      std::fill(
          acc.begin() + oc * out_plane,
          acc.begin() + (oc + 1) * out_plane,
          bias != nullptr ? double(bias[oc]) : 0.0);
    }
    for (size_t ic = 0; ic < g.in_channels; ++ic) {
      const size_t group = ic / in_per_group;
      const float* plane = x + (n * g.in_channels + ic) * g.in_h * g.in_w;
      for (size_t c = 0; c < out_per_group; ++c) {
        const size_t oc = group * out_per_group + c;
        const float* kernel =
            w + (ic * out_per_group + c) * g.kernel_h * g.kernel_w;
        double* target = acc.data() + oc * out_plane;
        for (size_t iy = 0; iy < g.in_h; ++iy) {
          for (size_t ix = 0; ix < g.in_w; ++ix) {
            const double value = plane[iy * g.in_w + ix];
            for (size_t ky = 0; ky < g.kernel_h; ++ky) {
              const int64_t oy = int64_t(iy * g.stride_h) - g.pad_h +
                  int64_t(ky * g.dilation_h);
              if (oy < 0 || oy >= int64_t(g.out_h)) {
                continue;
              }
              for (size_t kx = 0; kx < g.kernel_w; ++kx) {
                const int64_t ox = int64_t(ix * g.stride_w) - g.pad_w +
                    int64_t(kx * g.dilation_w);
                if (ox < 0 || ox >= int64_t(g.out_w)) {
                  continue;
                }
                target[oy * g.out_w + ox] +=
                    value * double(kernel[ky * g.kernel_w + kx]);
              }
            }
          }
        }
      }
    }
    float* batch_out = out + n * g.out_channels * out_plane;
    for (size_t i = 0; i < acc.size(); ++i) {
      batch_out[i] = static_cast<float>(acc[i]);
    }
  }
}

} // namespace

void run_convolution(const KernelContext& context) {
  using namespace schema::convolution;
  const bool transposed = context.attr_bool(kAttrTransposed);
  const ConvGeometry g = geometry(context);
  const float* x = context.input<float>(kInputInput);
  const float* w = context.input<float>(kInputWeight);
  const float* bias = context.input<float>(kInputBias); // null when absent
  float* out = context.output<float>();
  if (transposed) {
    convolve_transposed(g, x, w, bias, out);
  } else {
    convolve(g, x, w, bias, out);
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
