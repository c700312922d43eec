{{ cookiecutter.__cpp_license_header }}

// split (split_with_sizes_copy): output i is the next split_sizes[i] slices
// of the input along attribute dim; the reverse of cat.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <algorithm>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_split(const KernelContext& context) {
  using namespace schema::split;
  const Shape& shape = context.input_info(kInputSelf).shape;
  const int64_t rank = shape.rank;
  const auto dim =
      static_cast<uint32_t>((context.attr_int(kAttrDim) + rank) % rank);
  size_t outer = 1;
  size_t inner = 1;
  for (uint32_t d = 0; d < shape.rank; ++d) {
    if (d < dim) {
      outer *= shape.dim(d);
    } else if (d > dim) {
      inner *= shape.dim(d);
    }
  }
  const size_t in_row = size_t(shape.dim(dim)) * inner;
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
