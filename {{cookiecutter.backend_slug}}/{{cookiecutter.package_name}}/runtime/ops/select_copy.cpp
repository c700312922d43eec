{{ cookiecutter.__cpp_license_header }}

// select_copy: the input at index along dim, without that dimension.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_select_copy(const KernelContext& context) {
  const Shape& in = context.input_info(0).shape;
  const uint32_t dim =
      *wrap_dim(context.attr_int(schema::select_copy::kAttrDim), in.rank);
  const int64_t index = context.attr_int(schema::select_copy::kAttrIndex);
  const auto in_strides = kernel_util::contiguous_strides(in);
  const size_t offset =
      size_t(index < 0 ? index + in.dim(dim) : index) * in_strides[dim];
  // The output dimensions are the input's without dim.
  std::array<size_t, kMaxRank> strides{};
  for (uint32_t d = 0, o = 0; d < in.rank; ++d) {
    if (d != dim) {
      strides[o++] = in_strides[d];
    }
  }
  kernel_util::copy_strided(context, offset, strides);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
