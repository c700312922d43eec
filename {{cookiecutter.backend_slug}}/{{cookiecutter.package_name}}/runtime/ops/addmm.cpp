{{ cookiecutter.__cpp_license_header }}

// addmm: out[n, m] = beta * self + alpha * (mat1[n, k] @ mat2[k, m]), the
// product accumulated in double; self broadcasts to [n, m]. With beta 0 self
// is ignored (its NaN and inf too), as in PyTorch.

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

namespace {{ cookiecutter.__cpp_namespace }} {

void run_addmm(const KernelContext& context) {
  using namespace schema::addmm;
  const Shape& bias_shape = context.input_info(kInputSelf).shape;
  const Shape& a_shape = context.input_info(kInputMat1).shape;
  const size_t n = a_shape.dim(0);
  const size_t k = a_shape.dim(1);
  const size_t m = context.input_info(kInputMat2).shape.dim(1);
  const double beta = context.attr_float(kAttrBeta);
  const double alpha = context.attr_float(kAttrAlpha);
  // self's strides along the output's rows and columns (0: broadcast).
  size_t row_stride = 0;
  size_t col_stride = 0;
  if (bias_shape.rank >= 1) {
    col_stride = bias_shape.dim(bias_shape.rank - 1) == 1 ? 0 : 1;
  }
  if (bias_shape.rank == 2 && bias_shape.dim(0) != 1) {
    row_stride = bias_shape.dim(1);
  }
  const float* bias = context.input<float>(kInputSelf);
  const float* a = context.input<float>(kInputMat1);
  const float* b = context.input<float>(kInputMat2);
  float* out = context.output<float>();
  for (size_t row = 0; row < n; ++row) {
    for (size_t col = 0; col < m; ++col) {
      double acc = 0.0;
      for (size_t i = 0; i < k; ++i) {
        acc += double(a[row * k + i]) * double(b[i * m + col]);
      }
      double value = alpha * acc;
      if (beta != 0.0) {
        value += beta * double(bias[row * row_stride + col * col_stride]);
      }
      out[row * m + col] = static_cast<float>(value);
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
