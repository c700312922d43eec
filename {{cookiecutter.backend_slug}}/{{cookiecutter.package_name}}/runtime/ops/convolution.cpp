{{ cookiecutter.__cpp_license_header }}

// convolution: aten.convolution over 1 or 2 spatial dimensions (conv1d,
// conv2d, depthwise, transposed), with stride, padding, dilation and groups;
// the bias is optional. A 1-D convolution runs as a 2-D one of height 1;
// kernel_util::for_each_convolution_tap (OpKernel.h) walks the products of
// both directions. Accumulates in double: the reference should be the
// accurate answer.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <algorithm>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_convolution(const KernelContext& context) {
  using namespace schema::convolution;
  const kernel_util::ConvGeometry g =
      kernel_util::convolution_geometry(context);
  const float* x = context.input<float>(kInputInput);
  const float* w = context.input<float>(kInputWeight);
  const float* bias = context.input<float>(kInputBias); // null when absent
  float* out = context.output<float>();
  const size_t out_plane = g.out_h * g.out_w;
  std::vector<double> acc(context.output_info().numel);
  // Output plane p (of batch * out_channels) is channel p % out_channels.
  const size_t planes = g.batch * g.out_channels;
  for (size_t p = 0; p < planes && bias != nullptr; ++p) {
    std::fill_n(
        acc.begin() + p * out_plane,
        out_plane,
        double(bias[p % g.out_channels]));
  }
  kernel_util::for_each_convolution_tap(
      g, [&](size_t out_index, size_t x_index, size_t w_index) {
        acc[out_index] += double(x[x_index]) * double(w[w_index]);
      });
  for (size_t i = 0; i < acc.size(); ++i) {
    out[i] = static_cast<float>(acc[i]);
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
