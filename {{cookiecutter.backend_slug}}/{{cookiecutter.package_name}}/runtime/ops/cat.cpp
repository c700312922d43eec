{{ cookiecutter.__cpp_license_header }}

// cat: the inputs (one per tensor of the list) joined along attribute dim, in
// order. Seen as [outer, size along dim * inner] blocks, each input's row o
// lands in the output's row o after the rows of the inputs before it.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <algorithm>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_cat(const KernelContext& context) {
  using namespace schema::cat;
  const auto [dim, outer, size, inner] = kernel_util::around_dim(
      context.output_info().shape, context.attr_int(kAttrDim));
  const size_t out_row = size * inner;
  float* out = context.output<float>();
  size_t offset = 0; // where this input's rows start inside an output row
  for (uint32_t t = kInputTensors; t < context.num_inputs(); ++t) {
    const float* in = context.input<float>(t);
    const size_t row = size_t(context.input_info(t).shape.dim(dim)) * inner;
    for (size_t o = 0; o < outer; ++o) {
      std::copy(in + o * row, in + (o + 1) * row, out + o * out_row + offset);
    }
    offset += row;
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
