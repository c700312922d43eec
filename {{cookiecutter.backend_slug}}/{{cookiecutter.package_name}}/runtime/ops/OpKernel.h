{{ cookiecutter.__cpp_license_header }}

// What every kernel sees, and the helpers kernels share.
//
// A kernel is one function per opcode, `void run_<name>(const KernelContext&)`
// in ops/<name>.cpp; generated/OpTable.inc declares them all and lists them
// in kKernelTable, which the executor dispatches through. Adding an operator:
// its entry in op_support.py, `python scripts/generate.py`, and its kernel
// file here (docs/guides: "adding an operator").
//
// Preconditions, guaranteed by parse_graph() and the executor: every
// operand, output and attribute has the count, dtype and shape its schema
// says; buffers hold at least numel elements; outputs overlap no input. The
// shapes are those of the current call (input_info(), output_info()): with
// dynamic dimensions they change from call to call, up to the bounds the
// buffers were planned for, so a kernel reads them on every call.
#pragma once

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>

#include <executorch/runtime/core/error.h>
#include <executorch/runtime/core/memory_allocator.h>
#include <executorch/runtime/platform/assert.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

class KernelContext {
 public:
  // tensor_data holds the buffer of every tensor of graph, by tensor id;
  // prepared is what the kernel's prepare function made of this op at init
  // (null for a kernel without one, see find_prepare).
  KernelContext(
      const Graph& graph,
      const Op& op,
      void* const* tensor_data,
      void* prepared = nullptr)
      : graph_(graph),
        op_(op),
        tensor_data_(tensor_data),
        prepared_(prepared) {}

  const Op& op() const {
    return op_;
  }

  // The op's prepared state, of the type its prepare function made. The
  // kernel may write to its scratch buffers (an op runs on one thread).
  template <typename T>
  T& prepared() const {
    ET_CHECK_MSG(
        prepared_ != nullptr,
        "op %s: its kernel reads prepared state, but no prepare function ran "
        "(the table entry needs int8_prepare=True)",
        op_.schema->name);
    return *static_cast<T*>(prepared_);
  }

  // Inputs of the op record: one per operand, and one per tensor of a
  // variadic operand (cat's tensors are inputs kInputTensors and after).
  size_t num_inputs() const {
    return op_.inputs.size();
  }
  // Outputs of the op record (several for split).
  size_t num_outputs() const {
    return op_.outputs.size();
  }

  // Operand `index` of the schema (schema::<op>::kInput*).
  bool has_input(uint32_t index) const {
    return op_.inputs[index] != kNoTensor;
  }
  const TensorInfo& input_info(uint32_t index) const {
    return graph_.tensors[op_.inputs[index]];
  }
  // The operand's data; null when an optional operand is absent.
  template <typename T>
  const T* input(uint32_t index) const {
    return has_input(index)
        ? static_cast<const T*>(tensor_data_[op_.inputs[index]])
        : nullptr;
  }

  const TensorInfo& output_info(uint32_t index = 0) const {
    return graph_.tensors[op_.outputs[index]];
  }
  template <typename T>
  T* output(uint32_t index = 0) const {
    return static_cast<T*>(tensor_data_[op_.outputs[index]]);
  }

  // Attribute `index` of the schema (schema::<op>::kAttr*), of its type.
  int64_t attr_int(uint32_t index) const {
    return op_.attrs[index].ints[0];
  }
  bool attr_bool(uint32_t index) const {
    return op_.attrs[index].ints[0] != 0;
  }
  double attr_float(uint32_t index) const {
    return op_.attrs[index].floats[0];
  }
  const std::vector<int64_t>& attr_ints(uint32_t index) const {
    return op_.attrs[index].ints;
  }
  const std::vector<double>& attr_floats(uint32_t index) const {
    return op_.attrs[index].floats;
  }

 private:
  const Graph& graph_;
  const Op& op_;
  void* const* tensor_data_;
  void* prepared_;
};

using KernelFn = void (*)(const KernelContext& context);

// What a kernel computes once per op, at init, instead of on every call (an
// accelerator's compiled operator): weights rearranged or re-centred,
// requantization multipliers, scratch buffers. It receives the op as its
// kernel will (constants bound, shapes the blob's: the upper bounds of
// dynamic dimensions), takes every byte from `allocator` (the method's
// runtime allocator, which owns it for the delegate's life) and stores its
// state in *state for KernelContext::prepared().
using PrepareFn = executorch::runtime::Error (*)(
    const KernelContext& context,
    executorch::runtime::MemoryAllocator& allocator,
    void** state);

struct KernelEntry {
  OpCode opcode;
  KernelFn run; // float kernel, ops/<name>.cpp
  KernelFn run_int8; // integer kernel, ops/<name>_int8.cpp; null if none
  // prepare_<name>_int8, in the integer kernel's file; null if it prepares
  // nothing (the table entry's int8_prepare).
  PrepareFn prepare_int8;
};

#include <{{ cookiecutter.package_name }}/runtime/generated/OpTable.inc>

// The kernel that runs an op: the integer one when the op's output is int8
// and the opcode has one, else the float one (quantize and dequantize are
// float kernels that read or write int8). Null only for an opcode without a
// schema, which parse_graph() never accepts.
inline KernelFn find_kernel(OpCode opcode, uint32_t output_dtype) {
  for (const KernelEntry& entry : kKernelTable) {
    if (entry.opcode == opcode) {
      return output_dtype == kDtypeInt8 && entry.run_int8 != nullptr
          ? entry.run_int8
          : entry.run;
    }
  }
  return nullptr;
}

// The prepare function of `kernel`; null when it has none.
inline PrepareFn find_prepare(KernelFn kernel) {
  for (const KernelEntry& entry : kKernelTable) {
    if (entry.run_int8 == kernel && entry.prepare_int8 != nullptr) {
      return entry.prepare_int8;
    }
  }
  return nullptr;
}

namespace kernel_util {

// A tensor seen as [outer, size, inner] around one dimension: outer is the
// product of the sizes before it, inner of those after it. The loops of cat,
// split, softmax, batch_norm (channels) and per-channel dequantize.
struct AroundDim {
  uint32_t dim; // in [0, rank); 0 for a scalar
  size_t outer;
  size_t size; // 1 for a scalar
  size_t inner;
};

// dim may be negative (counted from the end, as in PyTorch).
inline AroundDim around_dim(const Shape& shape, int64_t dim) {
  if (shape.rank == 0) {
    return {0, 1, 1, 1};
  }
  const int64_t rank = shape.rank;
  AroundDim view{static_cast<uint32_t>((dim + rank) % rank), 1, 1, 1};
  view.size = shape.dim(view.dim);
  for (uint32_t d = 0; d < shape.rank; ++d) {
    if (d < view.dim) {
      view.outer *= shape.dim(d);
    } else if (d > view.dim) {
      view.inner *= shape.dim(d);
    }
  }
  return view;
}

// `count` elements of T from a prepare function's allocator; null when it is
// full (a prepare function then returns MemoryAllocationFailed).
template <typename T>
T* allocate(executorch::runtime::MemoryAllocator& allocator, size_t count) {
  return allocator.allocateList<T>(count == 0 ? 1 : count);
}

// out = fn(a, b) elementwise with PyTorch broadcasting; out_shape is the
// broadcast of a_shape and b_shape.
template <typename T, typename Fn>
void broadcast_binary(
    Fn fn,
    const T* a,
    const Shape& a_shape,
    const T* b,
    const Shape& b_shape,
    T* out,
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

// The broadcast elementwise op of a kernel with operands 0 and 1.
template <typename Fn>
void run_broadcast_float(const KernelContext& context, Fn fn) {
  broadcast_binary<float>(
      fn,
      context.input<float>(0),
      context.input_info(0).shape,
      context.input<float>(1),
      context.input_info(1).shape,
      context.output<float>(),
      context.output_info().shape);
}

// out = fn(x) elementwise, for a kernel with operand 0.
template <typename Fn>
void run_unary_float(const KernelContext& context, Fn fn) {
  const float* x = context.input<float>(0);
  float* out = context.output<float>();
  const size_t count = context.output_info().numel;
  for (size_t i = 0; i < count; ++i) {
    out[i] = fn(x[i]);
  }
}

// out[n, m] = a[n, k] @ b[k, m], accumulated in double: the reference
// kernels should give the accurate answer.
inline void matmul(
    const float* a,
    const float* b,
    float* out,
    size_t n,
    size_t k,
    size_t m) {
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

// Sums value(i) of each element i of operand 0 over attribute `dims_attr`
// (empty: every dimension) into sums, one per output element (keepdim does
// not change the output's element order); returns the number of input
// elements per output element.
template <typename Acc, typename Fn>
size_t reduce_sums(
    const KernelContext& context,
    uint32_t dims_attr,
    std::vector<Acc>& sums,
    Fn value) {
  const Shape& in = context.input_info(0).shape;
  const std::vector<int64_t>& dims = context.attr_ints(dims_attr);
  const int64_t rank = std::max<int64_t>(in.rank, 1);
  bool reduced[kMaxRank] = {};
  for (const int64_t dim : dims) {
    reduced[(dim + rank) % rank] = true;
  }
  // Output stride of each input dimension: 0 along the reduced ones.
  std::array<size_t, kMaxRank> strides{};
  size_t stride = 1;
  size_t count = 1; // input elements per output element
  for (uint32_t d = in.rank; d-- > 0;) {
    if (dims.empty() || reduced[d]) {
      count *= in.dim(d);
    } else {
      strides[d] = stride;
      stride *= in.dim(d);
    }
  }
  sums.assign(context.output_info().numel, Acc(0));
  const size_t in_count = context.input_info(0).numel;
  std::array<uint32_t, kMaxRank> index{};
  size_t offset = 0;
  for (size_t i = 0; i < in_count; ++i) {
    sums[offset] += value(i);
    for (uint32_t d = in.rank; d-- > 0;) {
      if (++index[d] < in.dim(d)) {
        offset += strides[d];
        break;
      }
      offset -= strides[d] * (in.dim(d) - 1);
      index[d] = 0;
    }
  }
  return count;
}

// Sums operand 0 over attribute `dims_attr` in double and writes the sum
// (mean: divided by the element count) to the output.
inline void
reduce_sum_float(const KernelContext& context, uint32_t dims_attr, bool mean) {
  const float* x = context.input<float>(0);
  std::vector<double> sums;
  const size_t count = reduce_sums<double>(
      context, dims_attr, sums, [&](size_t i) { return double(x[i]); });
  const double scale = mean ? 1.0 / double(count) : 1.0;
  float* out = context.output<float>();
  for (size_t i = 0; i < sums.size(); ++i) {
    // mean over zero elements is NaN, as in PyTorch.
    out[i] =
        static_cast<float>(mean && count == 0 ? std::nan("") : sums[i] * scale);
  }
}

// Softmax of x along dimension dim, numerically stable: the largest value is
// subtracted before exp(), and the sum is accumulated in double.
// log_result: out = log(softmax(x)) = x - max - log(sum).
inline void
softmax_float(const KernelContext& context, int64_t dim, bool log_result) {
  const float* x = context.input<float>(0);
  float* out = context.output<float>();
  const auto [axis, outer, size, inner] =
      around_dim(context.input_info(0).shape, dim);
  for (size_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < inner; ++i) {
      const size_t base = o * size * inner + i;
      float max = -INFINITY;
      for (size_t k = 0; k < size; ++k) {
        max = std::fmax(max, x[base + k * inner]);
      }
      double sum = 0.0;
      for (size_t k = 0; k < size; ++k) {
        sum += std::exp(double(x[base + k * inner]) - double(max));
      }
      for (size_t k = 0; k < size; ++k) {
        const double shifted = double(x[base + k * inner]) - double(max);
        out[base + k * inner] = static_cast<float>(
            log_result ? shifted - std::log(sum) : std::exp(shifted) / sum);
      }
    }
  }
}

// --- convolution and pooling windows: the index loops the float and int8
// kernels share.

// The taps k in [0, kernel) whose position start + k * dilation lies in
// [0, size): [begin, end) (convolution rows and columns, pooling windows).
inline void clip_taps(
    int64_t start,
    int64_t size,
    int64_t kernel,
    int64_t dilation,
    int64_t& begin,
    int64_t& end) {
  begin = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
  end = start >= size
      ? 0
      : std::min(kernel, (size - start + dilation - 1) / dilation);
  end = std::max(begin, end);
}

// One convolution (aten.convolution) with its spatial dimensions as [h, w]: a
// 1-D convolution is a 2-D one of height 1.
struct ConvGeometry {
  size_t batch, in_channels, out_channels, groups;
  size_t in_h, in_w, out_h, out_w, kernel_h, kernel_w;
  size_t stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_h, pad_w;
  bool transposed;
};

inline ConvGeometry convolution_geometry(const KernelContext& context) {
  using namespace schema::convolution;
  const Shape& x = context.input_info(kInputInput).shape;
  const Shape& w = context.input_info(kInputWeight).shape;
  const Shape& out = context.output_info().shape;
  const std::vector<int64_t>& stride = context.attr_ints(kAttrStride);
  const std::vector<int64_t>& padding = context.attr_ints(kAttrPadding);
  const std::vector<int64_t>& dilation = context.attr_ints(kAttrDilation);
  const bool is_2d = x.rank == 4;
  ConvGeometry g{};
  g.batch = x.dim(0);
  g.in_channels = x.dim(1);
  g.out_channels = out.dim(1);
  g.groups = static_cast<size_t>(context.attr_int(kAttrGroups));
  g.in_h = is_2d ? x.dim(2) : 1;
  g.in_w = x.dim(x.rank - 1);
  g.out_h = is_2d ? out.dim(2) : 1;
  g.out_w = out.dim(out.rank - 1);
  g.kernel_h = is_2d ? w.dim(2) : 1;
  g.kernel_w = w.dim(w.rank - 1);
  g.stride_h = is_2d ? stride[0] : 1;
  g.stride_w = stride.back();
  g.dilation_h = is_2d ? dilation[0] : 1;
  g.dilation_w = dilation.back();
  g.pad_h = is_2d ? padding[0] : 0;
  g.pad_w = padding.back();
  g.transposed = context.attr_bool(kAttrTransposed);
  return g;
}

// Calls tap(out_index, x_index, w_index) for every product
// x[x_index] * w[w_index] that convolution output element out[out_index]
// sums (element indices of the contiguous tensors); taps in the padding are
// skipped. A convolution reads x at position o * stride - pad + k * dilation
// of each output position o; a transposed one writes out at position
// i * stride - pad + k * dilation of each input position i, with the weight
// [in_channels, out_channels / groups, kh, kw] instead of [out_channels,
// in_channels / groups, kh, kw]. The taps of one output element do not come
// in a row: kernels accumulate into a buffer of the output's size.
template <typename Fn>
void for_each_convolution_tap(const ConvGeometry& g, Fn tap) {
  const size_t in_per_group = g.in_channels / g.groups;
  const size_t out_per_group = g.out_channels / g.groups;
  // The strided side is the output of a convolution and the input of a
  // transposed one: the loop walks it and computes the other position.
  const size_t grid_h = g.transposed ? g.in_h : g.out_h;
  const size_t grid_w = g.transposed ? g.in_w : g.out_w;
  const size_t other_h = g.transposed ? g.out_h : g.in_h;
  const size_t other_w = g.transposed ? g.out_w : g.in_w;
  for (size_t n = 0; n < g.batch; ++n) {
    for (size_t group = 0; group < g.groups; ++group) {
      for (size_t ci = 0; ci < in_per_group; ++ci) {
        const size_t ic = group * in_per_group + ci;
        const size_t x_plane = (n * g.in_channels + ic) * g.in_h * g.in_w;
        for (size_t co = 0; co < out_per_group; ++co) {
          const size_t oc = group * out_per_group + co;
          const size_t out_plane =
              (n * g.out_channels + oc) * g.out_h * g.out_w;
          const size_t w_kernel = g.transposed
              ? (ic * out_per_group + co) * g.kernel_h * g.kernel_w
              : (oc * in_per_group + ci) * g.kernel_h * g.kernel_w;
          for (size_t ky = 0; ky < g.kernel_h; ++ky) {
            // Grid rows sy whose other row ty = sy * stride - pad + ky *
            // dilation lies inside the tensor (the others read padding).
            const int64_t y_start = int64_t(ky * g.dilation_h) - g.pad_h;
            int64_t sy_begin = 0;
            int64_t sy_end = 0;
            clip_taps(
                y_start,
                int64_t(other_h),
                int64_t(grid_h),
                int64_t(g.stride_h),
                sy_begin,
                sy_end);
            for (size_t kx = 0; kx < g.kernel_w; ++kx) {
              const size_t w_index = w_kernel + ky * g.kernel_w + kx;
              const int64_t x_start = int64_t(kx * g.dilation_w) - g.pad_w;
              int64_t sx_begin = 0;
              int64_t sx_end = 0;
              clip_taps(
                  x_start,
                  int64_t(other_w),
                  int64_t(grid_w),
                  int64_t(g.stride_w),
                  sx_begin,
                  sx_end);
              const size_t count = size_t(sx_end - sx_begin);
              for (int64_t sy = sy_begin; sy < sy_end; ++sy) {
                const size_t ty = size_t(sy * int64_t(g.stride_h) + y_start);
                const size_t tx =
                    size_t(sx_begin * int64_t(g.stride_w) + x_start);
                const size_t grid = size_t(sy) * grid_w + size_t(sx_begin);
                const size_t other = ty * other_w + tx;
                // Along a row the grid moves by 1 and the other side by the
                // stride.
                const size_t out0 = out_plane + (g.transposed ? other : grid);
                const size_t x0 = x_plane + (g.transposed ? grid : other);
                const size_t out_step = g.transposed ? g.stride_w : 1;
                const size_t x_step = g.transposed ? 1 : g.stride_w;
                for (size_t k = 0; k < count; ++k) {
                  tap(out0 + k * out_step, x0 + k * x_step, w_index);
                }
              }
            }
          }
        }
      }
    }
  }
}

// 2-D pooling (avg_pool2d, max_pool2d) over the last two dimensions of
// operand 0: `planes` planes of in_h x in_w, out_h x out_w windows each.
struct Pool2dGeometry {
  size_t planes;
  int64_t in_h, in_w, out_h, out_w;
  int64_t kernel[2], stride[2], padding[2], dilation[2];
};

// The window of one output element: taps ky in [ky_begin, ky_end) and kx in
// [kx_begin, kx_end) read the input at (y0 + ky * dilation, x0 + kx *
// dilation); taps in the padding are left out. padded_count counts the taps
// inside the input and its padding (avg_pool2d's count_include_pad).
struct PoolWindow {
  int64_t y0, x0, ky_begin, ky_end, kx_begin, kx_end, padded_count;
  int64_t count() const {
    return (ky_end - ky_begin) * (kx_end - kx_begin);
  }
};

// Pooling geometry from the op's attributes; stride empty means
// kernel_size; dilation_attr < 0: the op has none (1).
inline Pool2dGeometry pool2d_geometry(
    const KernelContext& context,
    uint32_t kernel_attr,
    uint32_t stride_attr,
    uint32_t padding_attr,
    int64_t dilation_attr) {
  const Shape& in = context.input_info(0).shape;
  const Shape& out = context.output_info().shape;
  const std::vector<int64_t>& kernel = context.attr_ints(kernel_attr);
  const std::vector<int64_t>& stride_list = context.attr_ints(stride_attr);
  const std::vector<int64_t>& stride =
      stride_list.empty() ? kernel : stride_list;
  const std::vector<int64_t>& padding = context.attr_ints(padding_attr);
  Pool2dGeometry g{};
  g.in_h = in.dim(in.rank - 2);
  g.in_w = in.dim(in.rank - 1);
  g.out_h = out.dim(out.rank - 2);
  g.out_w = out.dim(out.rank - 1);
  g.planes = g.in_h * g.in_w == 0
      ? 0
      : context.input_info(0).numel / size_t(g.in_h * g.in_w);
  for (int i = 0; i < 2; ++i) {
    g.kernel[i] = kernel[i];
    g.stride[i] = stride[i];
    g.padding[i] = padding[i];
    g.dilation[i] = dilation_attr < 0
        ? 1
        : context.attr_ints(static_cast<uint32_t>(dilation_attr))[i];
  }
  return g;
}

// out[plane, oy, ox] = reduce(x's plane, window) for every output element.
template <typename In, typename Out, typename Fn>
void pool2d(const Pool2dGeometry& g, const In* x, Out* out, Fn reduce) {
  for (size_t plane = 0; plane < g.planes; ++plane) {
    const In* src = x + plane * g.in_h * g.in_w;
    Out* dst = out + plane * g.out_h * g.out_w;
    for (int64_t oy = 0; oy < g.out_h; ++oy) {
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        PoolWindow w{};
        w.y0 = oy * g.stride[0] - g.padding[0];
        w.x0 = ox * g.stride[1] - g.padding[1];
        clip_taps(
            w.y0, g.in_h, g.kernel[0], g.dilation[0], w.ky_begin, w.ky_end);
        clip_taps(
            w.x0, g.in_w, g.kernel[1], g.dilation[1], w.kx_begin, w.kx_end);
        w.padded_count =
            (std::min(w.y0 + g.kernel[0], g.in_h + g.padding[0]) - w.y0) *
            (std::min(w.x0 + g.kernel[1], g.in_w + g.padding[1]) - w.x0);
        dst[oy * g.out_w + ox] = reduce(src, w);
      }
    }
  }
}

// Calls fn(value) for each tap of window w in plane src (row by row).
template <typename T, typename Fn>
void for_each_pool_tap(
    const Pool2dGeometry& g,
    const T* src,
    const PoolWindow& w,
    Fn fn) {
  for (int64_t ky = w.ky_begin; ky < w.ky_end; ++ky) {
    const T* row = src + (w.y0 + ky * g.dilation[0]) * g.in_w;
    for (int64_t kx = w.kx_begin; kx < w.kx_end; ++kx) {
      fn(row[w.x0 + kx * g.dilation[1]]);
    }
  }
}

// Adaptive 2-D pooling (adaptive_avg_pool2d) over the last two dimensions
// of operand 0 to the output's last two: output row oy reads input rows
// [floor(oy * in_h / out_h), ceil((oy + 1) * in_h / out_h)), and columns
// alike, as PyTorch's adaptive pooling (windows may overlap when the sizes
// do not divide).
struct AdaptiveWindow {
  int64_t y_begin, y_end, x_begin, x_end;
  int64_t count() const {
    return (y_end - y_begin) * (x_end - x_begin);
  }
};

// out[plane, oy, ox] = reduce(x's plane, in_w, window) for every output
// element; the shape rule guarantees in_h and in_w >= 1.
template <typename In, typename Out, typename Fn>
void adaptive_pool2d(
    const KernelContext& context,
    const In* x,
    Out* out,
    Fn reduce) {
  const Shape& in = context.input_info(0).shape;
  const Shape& out_shape = context.output_info().shape;
  const int64_t in_h = in.dim(in.rank - 2);
  const int64_t in_w = in.dim(in.rank - 1);
  const int64_t out_h = out_shape.dim(out_shape.rank - 2);
  const int64_t out_w = out_shape.dim(out_shape.rank - 1);
  const size_t planes = context.input_info(0).numel / size_t(in_h * in_w);
  const auto begin = [](int64_t i, int64_t in_size, int64_t out_size) {
    return i * in_size / out_size;
  };
  const auto end = [](int64_t i, int64_t in_size, int64_t out_size) {
    return ((i + 1) * in_size + out_size - 1) / out_size;
  };
  for (size_t plane = 0; plane < planes; ++plane) {
    const In* src = x + plane * in_h * in_w;
    Out* dst = out + plane * out_h * out_w;
    for (int64_t oy = 0; oy < out_h; ++oy) {
      for (int64_t ox = 0; ox < out_w; ++ox) {
        const AdaptiveWindow w{
            begin(oy, in_h, out_h),
            end(oy, in_h, out_h),
            begin(ox, in_w, out_w),
            end(ox, in_w, out_w)};
        dst[oy * out_w + ox] = reduce(src, in_w, w);
      }
    }
  }
}

// Calls fn(value) for each element of window w in plane src of width in_w.
template <typename T, typename Fn>
void for_each_adaptive_tap(
    const T* src,
    int64_t in_w,
    const AdaptiveWindow& w,
    Fn fn) {
  for (int64_t y = w.y_begin; y < w.y_end; ++y) {
    for (int64_t x = w.x_begin; x < w.x_end; ++x) {
      fn(src[y * in_w + x]);
    }
  }
}

// avg_pool2d's divisor of a window: divisor_override (0: none), else the
// taps counted with or without the padding.
inline int64_t avg_pool2d_divisor(
    const KernelContext& context,
    const PoolWindow& w) {
  using namespace schema::avg_pool2d;
  const int64_t divisor_override = context.attr_int(kAttrDivisorOverride);
  if (divisor_override != 0) {
    return divisor_override;
  }
  return context.attr_bool(kAttrCountIncludePad) ? w.padded_count : w.count();
}

// --- integer arithmetic of the int8 kernels ---------------------------------
//
// The int8 kernels (ops/<name>_int8.cpp) follow TensorFlow Lite's reference
// integer kernels (tensorflow/lite/kernels/internal/reference/integer_ops/):
// int32 accumulation of (q - zero_point) products, an int32 bias of scale
// input_scale * weight_scale, then requantization of the accumulator by a
// fixed-point multiplier and shift (QuantizeMultiplier), with
// TFLITE_SINGLE_ROUNDING's rounding (one rounding, ties upward), then the
// output zero point and saturation to [-128, 127]. ExecuTorch's CPU path
// dequantizes, computes in float and rounds half to even, so the two differ
// by at most one step on a small fraction of outputs (docs: quantization).

// A real multiplier m > 0 as q * 2^(shift - 31), q in [2^30, 2^31): TFLite's
// QuantizeMultiplier (quantization_util.cc).
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0; // left shift; negative: right shift
};

inline QuantizedMultiplier quantize_multiplier(double m) {
  QuantizedMultiplier result;
  if (!(m > 0.0)) {
    return result;
  }
  const double fraction = std::frexp(m, &result.shift); // m = f * 2^shift
  int64_t fixed = static_cast<int64_t>(std::round(fraction * (1LL << 31)));
  if (fixed == (1LL << 31)) {
    fixed /= 2;
    ++result.shift;
  }
  if (result.shift < -31) { // too small to represent: flush to zero
    result.shift = 0;
    fixed = 0;
  }
  // Multipliers of 2^30 and above saturate (never met: they would mean an
  // output step 2^30 times finer than the inputs').
  if (result.shift > 30) {
    result.shift = 30;
    fixed = std::numeric_limits<int32_t>::max();
  }
  result.multiplier = static_cast<int32_t>(fixed);
  return result;
}

// round(x * m) for m = quantize_multiplier(...): TFLite's
// MultiplyByQuantizedMultiplier with TFLITE_SINGLE_ROUNDING (common.cc),
// i.e. (x * q + 2^(30 - shift)) >> (31 - shift), saturated to int32.
inline int32_t multiply_by_quantized_multiplier(
    int64_t x,
    const QuantizedMultiplier& m) {
  const int total_shift = 31 - m.shift; // 1..62
  const int64_t round = int64_t(1) << (total_shift - 1);
  // |x| < 2^32 here, |q| < 2^31: the product fits in int64.
  const int64_t result = (x * m.multiplier + round) >> total_shift;
  return static_cast<int32_t>(std::clamp<int64_t>(
      result,
      std::numeric_limits<int32_t>::min(),
      std::numeric_limits<int32_t>::max()));
}

// x / divisor (divisor > 0) rounded half away from zero, as TFLite's
// integer average pool and mean divide.
inline int64_t divide_round_half_away(int64_t x, int64_t divisor) {
  return x >= 0 ? (x + divisor / 2) / divisor : (x - divisor / 2) / divisor;
}

inline int8_t saturate_int8(int64_t value) {
  return static_cast<int8_t>(std::clamp<int64_t>(value, -128, 127));
}

// ExecuTorch's quantize_per_tensor (kernels/quantized/cpu/op_quantize.cpp,
// quantize_val): the reciprocal of the scale in float, rounding half to even,
// then the zero point and saturation to [-128, 127]. Upstream converts the
// rounded float to int64 with a cast, which C++ leaves undefined for NaN and
// for values int64 cannot hold; here both are defined:
// - a value beyond the int8 range, infinities included, saturates to -128 or
//   127 (as PyTorch's eager quantize_per_tensor does);
// - NaN becomes -128 (quant_min): what ExecuTorch's CPU kernel returns on
//   x86-64, where the cast of NaN yields INT64_MIN and the clamp quant_min.
inline int8_t quantize_value(float x, const QuantParam& q) {
  const float inv_scale = 1.0f / q.scale;
  const float rounded = std::nearbyint(x * inv_scale);
  if (std::isnan(rounded)) {
    return std::numeric_limits<int8_t>::min();
  }
  // Clamp in float first, so that the cast below is defined: [-1024, 1024]
  // plus any int8 zero point still saturates to the same int8.
  const float bounded = std::clamp(rounded, -1024.0f, 1024.0f);
  return saturate_int8(static_cast<int64_t>(bounded) + q.zero_point);
}

// The (single) quantization parameters of a per-tensor quantized tensor.
inline const QuantParam& per_tensor(const TensorInfo& info) {
  return info.qparams[0];
}

// Qparams of channel c of a per-tensor or per-channel tensor.
inline const QuantParam& channel_qparam(const TensorInfo& info, size_t c) {
  return info.quant_scheme == QuantScheme::PerChannel ? info.qparams[c]
                                                      : info.qparams[0];
}

// The multiplier of each output channel c of a weighted op (linear,
// convolution): x_scale * w_scale[c] / out_scale, computed in double as
// TFLite does (one per channel of a per-channel weight, the same for all of
// a per-tensor one). Fills multipliers[0, out_channels).
inline void channel_multipliers(
    const TensorInfo& x,
    const TensorInfo& weight,
    const TensorInfo& out,
    size_t out_channels,
    QuantizedMultiplier* multipliers) {
  for (size_t c = 0; c < out_channels; ++c) {
    multipliers[c] = quantize_multiplier(
        double(per_tensor(x).scale) * double(channel_qparam(weight, c).scale) /
        double(per_tensor(out).scale));
  }
}

// An int32 accumulator with the output's multiplier, zero point and
// saturation applied: the last step of every weighted int8 kernel.
inline int8_t requantize_accumulator(
    int32_t acc,
    const QuantizedMultiplier& multiplier,
    int32_t out_zero_point) {
  return saturate_int8(
      int64_t(out_zero_point) +
      multiply_by_quantized_multiplier(acc, multiplier));
}

// out[n, m] = requantize(sum_k (a - za)(b - zb)): the int8 matmul of mm and
// bmm, with per-tensor qparams.
inline void matmul_int8(
    const int8_t* a,
    const int8_t* b,
    int8_t* out,
    size_t n,
    size_t k,
    size_t m,
    const QuantParam& qa,
    const QuantParam& qb,
    const QuantParam& qout) {
  const QuantizedMultiplier multiplier = quantize_multiplier(
      double(qa.scale) * double(qb.scale) / double(qout.scale));
  for (size_t row = 0; row < n; ++row) {
    for (size_t col = 0; col < m; ++col) {
      int32_t acc = 0;
      for (size_t i = 0; i < k; ++i) {
        acc += (int32_t(a[row * k + i]) - qa.zero_point) *
            (int32_t(b[i * m + col]) - qb.zero_point);
      }
      out[row * m + col] = saturate_int8(
          int64_t(qout.zero_point) +
          multiply_by_quantized_multiplier(acc, multiplier));
    }
  }
}

// An int8 value quantized with `from` re-expressed with `to`'s qparams:
// to.zero_point + round((q - from.zero_point) * from.scale / to.scale) by a
// fixed-point multiplier, not yet saturated.
class Requantizer {
 public:
  Requantizer(const QuantParam& from, const QuantParam& to)
      : from_zero_(from.zero_point),
        to_zero_(to.zero_point),
        multiplier_(quantize_multiplier(double(from.scale) / double(to.scale))),
        identity_(from.scale == to.scale && from.zero_point == to.zero_point) {}

  int64_t operator()(int8_t q) const {
    return int64_t(to_zero_) +
        multiply_by_quantized_multiplier(int64_t(q) - from_zero_, multiplier_);
  }

  // Same qparams: every value stays as it is.
  bool identity() const {
    return identity_;
  }

 private:
  int32_t from_zero_;
  int32_t to_zero_;
  QuantizedMultiplier multiplier_;
  bool identity_;
};

// out = clamp(requantize(x), lo, hi) elementwise with x's and out's
// per-tensor qparams; lo/hi are int8 codes (relu, clamp).
inline void
requantize_clamp_int8(const KernelContext& context, int32_t lo, int32_t hi) {
  const Requantizer requantize(
      per_tensor(context.input_info(0)), per_tensor(context.output_info()));
  const int8_t* x = context.input<int8_t>(0);
  int8_t* out = context.output<int8_t>();
  const size_t count = context.output_info().numel;
  const auto clamp = [lo, hi](int64_t value) {
    // As torch.clamp: when lo > hi every element becomes hi.
    const int64_t low = value < lo ? lo : value;
    return saturate_int8(low > hi ? hi : low);
  };
  if (requantize.identity()) {
    // The quantizer gives relu and clamp their input's qparams: the codes
    // are compared as they are, with no rescaling per element.
    for (size_t i = 0; i < count; ++i) {
      out[i] = clamp(x[i]);
    }
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    out[i] = clamp(requantize(x[i]));
  }
}

// out = out_zero_point + fn(a - a_zero_point, b - b_zero_point), saturated to
// int8, elementwise with PyTorch broadcasting over operands 0 and 1: the loop
// of every int8 binary kernel (add, sub, mul, maximum, minimum). fn gets the
// inputs' int8 values relative to their zero points and returns the output's
// (requantized by the multipliers the kernel derives from the scales).
template <typename Fn>
void binary_int8(const KernelContext& context, Fn fn) {
  const int32_t a_zero = per_tensor(context.input_info(0)).zero_point;
  const int32_t b_zero = per_tensor(context.input_info(1)).zero_point;
  const int32_t out_zero = per_tensor(context.output_info()).zero_point;
  broadcast_binary<int8_t>(
      [&](int8_t a, int8_t b) {
        return saturate_int8(
            int64_t(out_zero) + fn(int32_t(a) - a_zero, int32_t(b) - b_zero));
      },
      context.input<int8_t>(0),
      context.input_info(0).shape,
      context.input<int8_t>(1),
      context.input_info(1).shape,
      context.output<int8_t>(),
      context.output_info().shape);
}

// a + b (subtract: a - b) on int8, as TFLite's reference_integer_ops::Add
// (add.cc, AddFunc; Sub is the same with b negated): both inputs are
// shifted left by 20 bits, rescaled to the common scale
// 2 * max(a_scale, b_scale), summed in int32, and the sum is requantized to
// the output's scale.
inline void add_int8(const KernelContext& context, bool subtract) {
  constexpr int kLeftShift = 20;
  // The shift as a product: a left shift of a negative value is undefined.
  constexpr int64_t kShifted = int64_t(1) << kLeftShift;
  const double a_scale = per_tensor(context.input_info(0)).scale;
  const double b_scale = per_tensor(context.input_info(1)).scale;
  const double out_scale = per_tensor(context.output_info()).scale;
  const double twice_max = 2.0 * std::max(a_scale, b_scale);
  const QuantizedMultiplier ma = quantize_multiplier(a_scale / twice_max);
  const QuantizedMultiplier mb = quantize_multiplier(b_scale / twice_max);
  const QuantizedMultiplier mout =
      quantize_multiplier(twice_max / (double(kShifted) * out_scale));
  binary_int8(context, [&](int32_t a, int32_t b) {
    const int64_t a_part =
        multiply_by_quantized_multiplier(int64_t(a) * kShifted, ma);
    const int64_t b_part =
        multiply_by_quantized_multiplier(int64_t(b) * kShifted, mb);
    return multiply_by_quantized_multiplier(
        subtract ? a_part - b_part : a_part + b_part, mout);
  });
}

// max(a, b) (minimum: min(a, b)) on int8: both inputs requantized to the
// output's qparams, then compared. Requantization is monotonic, so this is
// the int8 of max(dequantize(a), dequantize(b)).
inline void max_int8(const KernelContext& context, bool minimum) {
  const double out_scale = per_tensor(context.output_info()).scale;
  const QuantizedMultiplier ma = quantize_multiplier(
      double(per_tensor(context.input_info(0)).scale) / out_scale);
  const QuantizedMultiplier mb = quantize_multiplier(
      double(per_tensor(context.input_info(1)).scale) / out_scale);
  binary_int8(context, [&](int32_t a, int32_t b) {
    const int32_t a_out = multiply_by_quantized_multiplier(a, ma);
    const int32_t b_out = multiply_by_quantized_multiplier(b, mb);
    return minimum ? std::min(a_out, b_out) : std::max(a_out, b_out);
  });
}

// A unary elementwise op on int8 through a 256-entry lookup table, as
// XNNPACK's qs8 sigmoid, tanh and elu operators build theirs when they are
// created (xnn_create_sigmoid_nc_qs8 and friends) and TFLite's int8 LUT
// kernels do (LUTPopulate, kernels/internal/common.h): entry q holds the
// output code of dequantize(q) through the op's float function. Here the
// float function is the op's own float kernel (`float_kernel`, run once on
// the 256 dequantized codes with the op's attributes), so the two cannot
// disagree; dequantization is ExecuTorch's ((q - zero_point) * scale) and
// requantization its quantize_per_tensor (quantize_value: round half to
// even, saturate; NaN gives -128), so the kernel equals
// dequantize -> op -> quantize on every input. Each call then reads one table
// entry per element. An accelerator builds the table once, ahead of time.
inline void run_lookup_table_int8(
    const KernelContext& context,
    KernelFn float_kernel) {
  const QuantParam& qin = per_tensor(context.input_info(0));
  const QuantParam& qout = per_tensor(context.output_info());
  constexpr size_t kCodes = 256;
  std::array<float, kCodes> values{};
  std::array<float, kCodes> results{};
  for (size_t i = 0; i < kCodes; ++i) {
    const int32_t q = int32_t(i) - 128;
    values[i] = static_cast<float>(double(q - qin.zero_point) * qin.scale);
  }
  // The op on a [256] float tensor: the same record, other tensors.
  Graph table_graph;
  TensorInfo info;
  info.shape.rank = 1;
  info.shape.sizes[0] = kCodes;
  info.numel = kCodes;
  info.nbytes = kCodes * sizeof(float);
  table_graph.tensors = {info, info};
  Op table_op = context.op();
  table_op.inputs = {0};
  table_op.outputs = {1};
  void* data[] = {values.data(), results.data()};
  float_kernel(KernelContext(table_graph, table_op, data));
  std::array<int8_t, kCodes> table{};
  for (size_t i = 0; i < kCodes; ++i) {
    table[i] = quantize_value(results[i], qout);
  }
  const int8_t* x = context.input<int8_t>(0);
  int8_t* out = context.output<int8_t>();
  const size_t count = context.output_info().numel;
  for (size_t i = 0; i < count; ++i) {
    out[i] = table[size_t(int32_t(x[i]) + 128)];
  }
}

// --- layout: the output holds input elements, rearranged.

// Element strides of a contiguous (row-major) tensor of `shape`.
inline std::array<size_t, kMaxRank> contiguous_strides(const Shape& shape) {
  std::array<size_t, kMaxRank> strides{};
  size_t stride = 1;
  for (uint32_t d = shape.rank; d-- > 0;) {
    strides[d] = stride;
    stride *= shape.dim(d);
  }
  return strides;
}

// The layout kernels move elements without reading them, so each serves
// every dtype (one kernel per opcode is both its float and its int8 kernel,
// see OpSupport.moves_data): they copy elements of the output's size. On
// int8 the quantizer gives the output its input's qparams, so the bytes are
// the answer; an output with other qparams is requantized after the move.
inline void requantize_moved_int8(const KernelContext& context) {
  const TensorInfo& out = context.output_info();
  if (out.dtype != kDtypeInt8) {
    return;
  }
  const Requantizer requantize(
      per_tensor(context.input_info(0)), per_tensor(out));
  if (requantize.identity()) {
    return;
  }
  int8_t* data = context.output<int8_t>();
  for (size_t i = 0; i < out.numel; ++i) {
    data[i] = saturate_int8(requantize(data[i]));
  }
}

template <typename T>
void copy_strided_elements(
    const T* in,
    size_t offset,
    const std::array<size_t, kMaxRank>& strides,
    T* out,
    const Shape& out_shape) {
  const size_t count = numel(out_shape);
  std::array<uint32_t, kMaxRank> index{};
  for (size_t i = 0; i < count; ++i) {
    out[i] = in[offset];
    // Odometer increment of the output index, moving the input offset along.
    for (uint32_t d = out_shape.rank; d-- > 0;) {
      if (++index[d] < out_shape.dim(d)) {
        offset += strides[d];
        break;
      }
      offset -= strides[d] * (out_shape.dim(d) - 1);
      index[d] = 0;
    }
  }
}

// Writes the contiguous output from a strided view of operand 0: the output
// element at index (i0, i1, ...) is
// in[offset + i0 * strides[0] + i1 * strides[1] + ...] (in elements).
// Permuting (strides in another order), expanding (stride 0), slicing
// (offset and a step) and selecting (offset, one dimension fewer) are all
// such views.
inline void copy_strided(
    const KernelContext& context,
    size_t offset,
    const std::array<size_t, kMaxRank>& strides) {
  const Shape& out_shape = context.output_info().shape;
  if (element_size(context.output_info().dtype) == 1) {
    copy_strided_elements(
        context.input<int8_t>(0),
        offset,
        strides,
        context.output<int8_t>(),
        out_shape);
  } else {
    copy_strided_elements(
        context.input<float>(0),
        offset,
        strides,
        context.output<float>(),
        out_shape);
  }
  requantize_moved_int8(context);
}

// out = operand 0, element for element: the layout ops that keep the
// element order (view, squeeze, unsqueeze, clone, ...).
inline void copy_input(const KernelContext& context) {
  const auto* x = context.input<uint8_t>(0);
  std::copy(x, x + context.output_info().nbytes, context.output<uint8_t>());
  requantize_moved_int8(context);
}

} // namespace kernel_util

} // namespace {{ cookiecutter.__cpp_namespace }}
