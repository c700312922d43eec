{{ cookiecutter.__cpp_license_header }}

// permute_copy: output dimension d is input dimension dims[d].

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_permute_copy(const KernelContext& context) {
  const Shape& in = context.input_info(0).shape;
  const std::vector<int64_t>& dims =
      context.attr_ints(schema::permute_copy::kAttrDims);
  const auto in_strides = kernel_util::contiguous_strides(in);
  std::array<size_t, kMaxRank> strides{};
  for (uint32_t d = 0; d < in.rank; ++d) {
    strides[d] = in_strides[*wrap_dim(dims[d], in.rank)];
  }
  kernel_util::copy_strided(context, 0, strides);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
