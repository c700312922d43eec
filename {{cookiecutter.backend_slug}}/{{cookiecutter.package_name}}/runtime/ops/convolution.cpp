{{ cookiecutter.__cpp_license_header }}

// convolution: aten.convolution over 1 or 2 spatial dimensions (conv1d,
// conv2d, depthwise, transposed), with stride, padding, dilation and groups;
// the bias is optional. A 1-D convolution runs as a 2-D one of height 1;
// kernel_util::for_each_convolution_tap (OpKernel.h) walks the products of
// both directions. Accumulates in double: the reference should be the
// accurate answer.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

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
  for (size_t i = 0; i < acc.size(); ++i) {
    const size_t oc = out_plane == 0 ? 0 : (i / out_plane) % g.out_channels;
    acc[i] = bias != nullptr ? double(bias[oc]) : 0.0;
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
