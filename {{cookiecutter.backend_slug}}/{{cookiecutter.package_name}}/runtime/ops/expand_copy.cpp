{{ cookiecutter.__cpp_license_header }}

// expand_copy: the input broadcast to the attribute size; a size-1 or new
// leading dimension repeats the same elements (stride 0).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_expand_copy(const KernelContext& context) {
  const Shape& in = context.input_info(0).shape;
  const Shape& out = context.output_info().shape;
  const auto in_strides = kernel_util::contiguous_strides(in);
  const uint32_t added = out.rank - in.rank; // new leading dimensions
  std::array<size_t, kMaxRank> strides{};
  for (uint32_t d = added; d < out.rank; ++d) {
    const uint32_t source = d - added;
    strides[d] = in.dim(source) == 1 ? 0 : in_strides[source];
  }
  kernel_util::copy_strided(context, 0, strides);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
