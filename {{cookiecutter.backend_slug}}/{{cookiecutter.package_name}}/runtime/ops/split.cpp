{{ cookiecutter.__cpp_license_header }}

// split (split_with_sizes_copy): output i is the next split_sizes[i] slices
// of the input along attribute dim; the reverse of cat.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <algorithm>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_split(const KernelContext& context) {
  using namespace schema::split;
  const auto [dim, outer, size, inner] = kernel_util::around_dim(
      context.input_info(kInputSelf).shape, context.attr_int(kAttrDim));
  const size_t in_row = size * inner;
  const float* x = context.input<float>(kInputSelf);
  size_t offset = 0; // where this output's rows start inside an input row
  for (uint32_t i = 0; i < context.num_outputs(); ++i) {
    float* out = context.output<float>(i);
    const size_t row = size_t(context.output_info(i).shape.dim(dim)) * inner;
    for (size_t o = 0; o < outer; ++o) {
      const float* from = x + o * in_row + offset;
      std::copy(from, from + row, out + o * row);
    }
    offset += row;
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
