{{ cookiecutter.__cpp_license_header }}

// Tensor shapes as the delegate blob stores them, and the shape arithmetic
// that both the blob validator and the kernels need (element counts,
// PyTorch broadcasting). Pure C++17 so the parser can be tested and fuzzed
// without ExecuTorch.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

namespace {{ cookiecutter.__cpp_namespace }} {

// Format version 1 stores up to eight dimensions per tensor.
inline constexpr size_t kMaxRank = 8;

struct Shape {
  uint32_t rank = 0;
  std::array<uint32_t, kMaxRank> sizes{};

  uint32_t dim(uint32_t i) const {
    return sizes[i];
  }
  bool operator==(const Shape& other) const {
    if (rank != other.rank) {
      return false;
    }
    for (uint32_t i = 0; i < rank; ++i) {
      if (sizes[i] != other.sizes[i]) {
        return false;
      }
    }
    return true;
  }
  bool operator!=(const Shape& other) const {
    return !(*this == other);
  }
};

// a * b, or nullopt when the product does not fit in size_t.
inline std::optional<size_t> checked_mul(size_t a, size_t b) {
  if (b != 0 && a > std::numeric_limits<size_t>::max() / b) {
    return std::nullopt;
  }
  return a * b;
}

// a + b, or nullopt when the sum does not fit in size_t.
inline std::optional<size_t> checked_add(size_t a, size_t b) {
  if (a > std::numeric_limits<size_t>::max() - b) {
    return std::nullopt;
  }
  return a + b;
}

// Number of elements, or nullopt on overflow. A rank-0 shape holds one.
inline std::optional<size_t> checked_numel(const Shape& shape) {
  size_t numel = 1;
  for (uint32_t i = 0; i < shape.rank && i < kMaxRank; ++i) {
    auto next = checked_mul(numel, shape.sizes[i]);
    if (!next) {
      return std::nullopt;
    }
    numel = *next;
  }
  return numel;
}

// Element count of a shape that the validator has already accepted.
inline size_t numel(const Shape& shape) {
  size_t n = 1;
  for (uint32_t i = 0; i < shape.rank; ++i) {
    n *= shape.sizes[i];
  }
  return n;
}

// The PyTorch broadcast of two shapes (aligned from the right, each pair
// equal or one of them 1), or nullopt when they do not broadcast.
inline std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  Shape out;
  out.rank = a.rank > b.rank ? a.rank : b.rank;
  for (uint32_t i = 0; i < out.rank; ++i) {
    // i counts from the last dimension; a missing dimension acts as 1.
    const uint32_t da = i < a.rank ? a.sizes[a.rank - 1 - i] : 1;
    const uint32_t db = i < b.rank ? b.sizes[b.rank - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) {
      return std::nullopt;
    }
    out.sizes[out.rank - 1 - i] = da == 1 ? db : da;
  }
  return out;
}

// PyTorch's dimension `dim` (negative counts from the end) of a tensor of
// `rank` dimensions as an index from 0 (rank 0 counts as 1), or nullopt when
// it is out of range.
inline std::optional<uint32_t> wrap_dim(int64_t dim, uint32_t rank) {
  const int64_t r = rank == 0 ? 1 : int64_t(rank);
  if (dim < -r || dim >= r) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(dim < 0 ? dim + r : dim);
}

// The elements start, start + step, ... below end of a dimension of `size`,
// with start and end clamped as PyTorch's slice does (negative values count
// from the end); step is at least 1.
struct SliceBounds {
  int64_t start;
  int64_t count;
};

inline SliceBounds
slice_bounds(int64_t size, int64_t start, int64_t end, int64_t step) {
  start = start < 0 ? start + size : start;
  end = end < 0 ? end + size : end;
  start = start < 0 ? 0 : (start > size ? size : start);
  end = end < start ? start : (end > size ? size : end);
  return {start, end == start ? 0 : (end - start - 1) / step + 1};
}

} // namespace {{ cookiecutter.__cpp_namespace }}
