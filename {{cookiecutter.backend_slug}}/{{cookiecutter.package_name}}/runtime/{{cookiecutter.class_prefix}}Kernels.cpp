#include "{{ cookiecutter.class_prefix }}Kernels.h"

#include <array>
#include <cmath>

namespace {{ cookiecutter.__cpp_namespace }} {
namespace kernels {
namespace {

template <typename Fn>
void binary_with(
    Fn fn,
    const float* a,
    const Shape& a_shape,
    const float* b,
    const Shape& b_shape,
    float* out,
    const Shape& out_shape) {
  const size_t count = numel(out_shape);
  if (a_shape == out_shape && b_shape == out_shape) {
    for (size_t i = 0; i < count; ++i) {
      out[i] = fn(a[i], b[i]);
    }
    return;
  }
  if (a_shape == out_shape && numel(b_shape) == 1) {
    for (size_t i = 0; i < count; ++i) {
      out[i] = fn(a[i], b[0]);
    }
    return;
  }

  // General case: walk the output in row-major order while each input moves
  // by its own stride, which is 0 along the dimensions it broadcasts.
  const uint32_t rank = out_shape.rank;
  std::array<size_t, kMaxRank> a_strides{};
  std::array<size_t, kMaxRank> b_strides{};
  size_t a_stride = 1;
  size_t b_stride = 1;
  for (uint32_t i = 0; i < rank; ++i) {
    const uint32_t d = rank - 1 - i; // output dimension, from the right
    if (i < a_shape.rank) {
      const uint32_t size = a_shape.sizes[a_shape.rank - 1 - i];
      a_strides[d] = size == 1 ? 0 : a_stride;
      a_stride *= size;
    }
    if (i < b_shape.rank) {
      const uint32_t size = b_shape.sizes[b_shape.rank - 1 - i];
      b_strides[d] = size == 1 ? 0 : b_stride;
      b_stride *= size;
    }
  }
  std::array<uint32_t, kMaxRank> index{};
  size_t a_offset = 0;
  size_t b_offset = 0;
  for (size_t i = 0; i < count; ++i) {
    out[i] = fn(a[a_offset], b[b_offset]);
    // Odometer increment of the multi-index, updating both offsets.
    for (uint32_t d = rank; d-- > 0;) {
      if (++index[d] < out_shape.sizes[d]) {
        a_offset += a_strides[d];
        b_offset += b_strides[d];
        break;
      }
      a_offset -= a_strides[d] * (out_shape.sizes[d] - 1);
      b_offset -= b_strides[d] * (out_shape.sizes[d] - 1);
      index[d] = 0;
    }
  }
}

float sigmoid(float x) {
  // Two branches so that exp() never overflows.
  if (x >= 0.0f) {
    return 1.0f / (1.0f + std::exp(-x));
  }
  const float e = std::exp(x);
  return e / (1.0f + e);
}

} // namespace

void binary(
    BinaryOp op,
    const float* a,
    const Shape& a_shape,
    const float* b,
    const Shape& b_shape,
    float* out,
    const Shape& out_shape,
    float alpha) {
  switch (op) {
    case BinaryOp::Add:
      binary_with(
          [alpha](float x, float y) { return x + alpha * y; },
          a, a_shape, b, b_shape, out, out_shape);
      return;
    case BinaryOp::Sub:
      binary_with(
          [alpha](float x, float y) { return x - alpha * y; },
          a, a_shape, b, b_shape, out, out_shape);
      return;
    case BinaryOp::Mul:
      binary_with(
          [](float x, float y) { return x * y; },
          a, a_shape, b, b_shape, out, out_shape);
      return;
    case BinaryOp::Div:
      binary_with(
          [](float x, float y) { return x / y; },
          a, a_shape, b, b_shape, out, out_shape);
      return;
  }
}

void unary(UnaryOp op, const float* x, float* out, size_t numel) {
  switch (op) {
    case UnaryOp::Relu:
      for (size_t i = 0; i < numel; ++i) {
        // Written so that NaN propagates, as torch.relu does.
        out[i] = x[i] < 0.0f ? 0.0f : x[i];
      }
      return;
    case UnaryOp::Sigmoid:
      for (size_t i = 0; i < numel; ++i) {
        out[i] = sigmoid(x[i]);
      }
      return;
    case UnaryOp::Tanh:
      for (size_t i = 0; i < numel; ++i) {
        out[i] = std::tanh(x[i]);
      }
      return;
  }
}

void clamp(
    const float* x,
    float* out,
    size_t numel,
    float min_value,
    float max_value) {
  for (size_t i = 0; i < numel; ++i) {
    float v = x[i];
    // Comparisons with NaN are false, so a NaN input passes through; when
    // min_value > max_value every element becomes max_value, like PyTorch.
    v = v < min_value ? min_value : v;
    v = v > max_value ? max_value : v;
    out[i] = v;
  }
}

void linear(
    const float* x,
    const float* weight,
    const float* bias,
    float* out,
    size_t rows,
    size_t in_features,
    size_t out_features) {
  for (size_t r = 0; r < rows; ++r) {
    const float* x_row = x + r * in_features;
    for (size_t o = 0; o < out_features; ++o) {
      const float* w_row = weight + o * in_features;
      // Accumulate in double: the reference should be the accurate answer.
      double acc = bias != nullptr ? bias[o] : 0.0;
      for (size_t i = 0; i < in_features; ++i) {
        acc += double(x_row[i]) * double(w_row[i]);
      }
      out[r * out_features + o] = static_cast<float>(acc);
    }
  }
}

void mm(const float* a, const float* b, float* out, size_t n, size_t k, size_t m) {
  for (size_t row = 0; row < n; ++row) {
    for (size_t col = 0; col < m; ++col) {
      double acc = 0.0;
      for (size_t i = 0; i < k; ++i) {
        acc += double(a[row * k + i]) * double(b[i * m + col]);
      }
      out[row * m + col] = static_cast<float>(acc);
    }
  }
}

void bmm(
    const float* a,
    const float* b,
    float* out,
    size_t batch,
    size_t n,
    size_t k,
    size_t m) {
  for (size_t i = 0; i < batch; ++i) {
    mm(a + i * n * k, b + i * k * m, out + i * n * m, n, k, m);
  }
}

} // namespace kernels
} // namespace {{ cookiecutter.__cpp_namespace }}
