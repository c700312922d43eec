{{ cookiecutter.__cpp_license_header }}

// full: the output, of attribute size, filled with attribute fill_value.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <algorithm>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_full(const KernelContext& context) {
  using namespace schema::full;
  float* out = context.output<float>();
  std::fill(
      out,
      out + context.output_info().numel,
      static_cast<float>(context.attr_float(kAttrFillValue)));
}

} // namespace {{ cookiecutter.__cpp_namespace }}
