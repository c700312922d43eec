{{ cookiecutter.__cpp_license_header }}

// slice_copy: along dim, the elements start, start + step, ... below end
// (start and end clamped as PyTorch does).

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_slice_copy(const KernelContext& context) {
  using namespace schema::slice_copy;
  const Shape& in = context.input_info(0).shape;
  const uint32_t dim = *wrap_dim(context.attr_int(kAttrDim), in.rank);
  const int64_t step = context.attr_int(kAttrStep);
  const SliceBounds bounds = slice_bounds(
      in.dim(dim),
      context.attr_int(kAttrStart),
      context.attr_int(kAttrEnd),
      step);
  auto strides = kernel_util::contiguous_strides(in);
  const size_t offset = size_t(bounds.start) * strides[dim];
  strides[dim] *= size_t(step);
  kernel_util::copy_strided(context, offset, strides);
}

} // namespace {{ cookiecutter.__cpp_namespace }}
