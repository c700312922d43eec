{{ cookiecutter.__cpp_license_header }}

#include "{{ cookiecutter.class_prefix }}Graph.h"

#include <executorch/runtime/platform/compiler.h>
#include <executorch/runtime/platform/log.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace {{ cookiecutter.__cpp_namespace }} {

using executorch::runtime::Error;
using executorch::runtime::Result;

const OpSchema* find_op_schema(uint32_t opcode) {
  for (const OpSchema& schema : kOpSchemas) {
    if (static_cast<uint32_t>(schema.opcode) == opcode) {
      return &schema;
    }
  }
  return nullptr;
}

const char* opcode_name(OpCode opcode) {
  const OpSchema* schema = find_op_schema(static_cast<uint32_t>(opcode));
  return schema != nullptr ? schema->name : "unknown";
}

size_t element_size(uint32_t dtype) {
  switch (dtype) {
    case kDtypeUInt8:
    case kDtypeInt8:
      return 1;
    case kDtypeInt32:
    case kDtypeFloat32:
      return 4;
    case kDtypeInt64:
      return 8;
  }
  return 0;
}

const char* dtype_name(uint32_t dtype) {
  switch (dtype) {
    case kDtypeUInt8:
      return "uint8";
    case kDtypeInt8:
      return "int8";
    case kDtypeInt32:
      return "int32";
    case kDtypeInt64:
      return "int64";
    case kDtypeFloat32:
      return "float32";
  }
  return "unknown";
}

namespace {

#if defined(__GNUC__)
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
#endif

std::string format(const char* fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof(buffer), fmt, args);
  va_end(args);
  return buffer;
}

std::string shape_string(const Shape& shape) {
  std::string text = "[";
  for (uint32_t i = 0; i < shape.rank; ++i) {
    text += (i == 0 ? "" : ", ") + std::to_string(shape.sizes[i]);
  }
  return text + "]";
}

// "[2, 3]" in a fixed buffer: the shape rules build their messages without
// allocating, because execute() runs them too.
class ShapeText {
 public:
  explicit ShapeText(const Shape& shape) {
    size_t used = 0;
    text_[used++] = '[';
    for (uint32_t i = 0; i < shape.rank && i < kMaxRank; ++i) {
      used += std::snprintf(
          text_ + used,
          sizeof(text_) - used,
          i == 0 ? "%u" : ", %u",
          shape.sizes[i]);
    }
    std::snprintf(text_ + used, sizeof(text_) - used, "]");
  }
  const char* c_str() const {
    return text_;
  }

 private:
  // Eight u32 sizes with separators and brackets.
  char text_[8 * 12 + 4];
};

// The shape rules of FORMAT.md, one function per rule: output 0's shape of
// an op from the shapes that `tensors` holds for its operands. parse_graph()
// runs them on the blob's sizes, the executor on the sizes of each call when
// the graph has dynamic dimensions. They read only what the parser has
// already checked (operand and attribute counts and types).
class ShapeRules {
 public:
  ShapeRules(const std::vector<TensorInfo>& tensors, ShapeError* error)
      : tensors_(tensors), error_(error) {}

  // Output `index`'s shape; only a rule of several outputs (split) fixes
  // more than output 0.
  bool output_shape(const Op& op, Shape* out, uint32_t index = 0) {
    if (index != 0 && op.schema->shape_rule != ShapeRule::Split) {
      return fail("its shape rule fixes output 0 only, not output %u", index);
    }
    switch (op.schema->shape_rule) {
      case ShapeRule::Same:
        return same_shape(op, out);
      case ShapeRule::Broadcast:
        return broadcast_shape(op, out);
      case ShapeRule::Linear:
        return linear_shape(op, out);
      case ShapeRule::Mm:
        return mm_shape(op, out);
      case ShapeRule::Bmm:
        return bmm_shape(op, out);
      case ShapeRule::Convolution:
        return convolution_shape(op, out);
      case ShapeRule::Pool2d:
        return pool2d_shape(op, out);
      case ShapeRule::AdaptivePool2d:
        return adaptive_pool2d_shape(op, out);
      case ShapeRule::Reduce:
        return reduce_shape(op, out);
      case ShapeRule::AlongDim:
        return along_dim_shape(op, out);
      case ShapeRule::BatchNorm:
        return batch_norm_shape(op, out);
      case ShapeRule::LayerNorm:
        return layer_norm_shape(op, out);
      case ShapeRule::Cat:
        return cat_shape(op, out);
      case ShapeRule::Split:
        return split_shape(op, index, out);
      case ShapeRule::Attention:
        return attention_shape(op, out);
      case ShapeRule::Addmm:
        return addmm_shape(op, out);
      case ShapeRule::Full:
        return full_shape(op, out);
      case ShapeRule::View:
        return view_shape(op, out);
      case ShapeRule::Permute:
        return permute_shape(op, out);
      case ShapeRule::Squeeze:
        return squeeze_shape(op, out);
      case ShapeRule::Unsqueeze:
        return unsqueeze_shape(op, out);
      case ShapeRule::Expand:
        return expand_shape(op, out);
      case ShapeRule::Slice:
        return slice_shape(op, out);
      case ShapeRule::Select:
        return select_shape(op, out);
    }
    return fail(
        "shape rule %u is unknown",
        static_cast<uint32_t>(op.schema->shape_rule));
  }

 private:
  ET_PRINTFLIKE(2, 3) bool fail(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(error_->message, sizeof(error_->message), fmt, args);
    va_end(args);
    return false;
  }

  const Shape& shape_of(uint32_t id) const {
    return tensors_[id].shape;
  }

  // The attribute of op named `name`, or null when its schema has none.
  static const Attribute* attr_named(const Op& op, const char* name) {
    for (uint32_t i = 0; i < op.schema->num_attrs; ++i) {
      if (std::strcmp(op.schema->attrs[i].name, name) == 0) {
        return &op.attrs[i];
      }
    }
    return nullptr;
  }

  // Attribute size of a full, view or expand: its entries, each dimension
  // reference (an entry below -1, FORMAT.md "Dimension references") replaced by
  // the size the delegate input it names has in `tensors` (the blob's upper
  // bound when parsing, the size of the call when executing).
  struct Size {
    std::array<int64_t, kMaxRank> entries{};
    size_t count = 0;
  };

  bool size_attr(const Op& op, Size* size) {
    const std::vector<int64_t>& entries = attr_named(op, "size")->ints;
    if (entries.size() > kMaxRank) {
      return fail(
          "attribute size has %zu entries; the maximum rank is %zu",
          entries.size(),
          kMaxRank);
    }
    for (size_t d = 0; d < entries.size(); ++d) {
      int64_t entry = entries[d];
      if (entry < -1) {
        // -2 - (8 x tensor + dim); no overflow down to INT64_MIN.
        const uint64_t code = uint64_t(-(entry + 2));
        const uint64_t tensor = code / kMaxRank;
        const uint32_t dim = uint32_t(code % kMaxRank);
        if (tensor >= tensors_.size() ||
            tensors_[tensor].source != TensorSource::Input ||
            dim >= tensors_[tensor].shape.rank) {
          return fail(
              "attribute size has %lld, a reference to dimension %u of tensor "
              "%llu; a reference names a dimension of a delegate input",
              static_cast<long long>(entry),
              dim,
              static_cast<unsigned long long>(tensor));
        }
        entry = tensors_[tensor].shape.sizes[dim];
      }
      size->entries[d] = entry;
    }
    size->count = entries.size();
    return true;
  }

  // Reads int-list attribute `name` into values: `count` values, each at
  // least `minimum`; an empty list when allow_empty is true leaves values.
  bool spatial_list(
      const Op& op,
      const char* name,
      uint32_t count,
      int64_t minimum,
      int64_t* values,
      bool allow_empty = false) {
    const Attribute* attr = attr_named(op, name);
    if (attr == nullptr) {
      return fail("its schema has no attribute %s", name);
    }
    if (allow_empty && attr->ints.empty()) {
      return true;
    }
    bool ok = attr->ints.size() == count;
    for (size_t i = 0; ok && i < count; ++i) {
      ok = attr->ints[i] >= minimum && attr->ints[i] <= int64_t(UINT32_MAX);
      values[i] = ok ? attr->ints[i] : 0;
    }
    if (!ok) {
      return fail(
          "attribute %s needs %u values >= %lld",
          name,
          count,
          static_cast<long long>(minimum));
    }
    return true;
  }

  // Operand 0's shape.
  bool same_shape(const Op& op, Shape* out) {
    *out = shape_of(op.inputs[0]);
    return true;
  }

  // Operands 0 and 1 broadcast like PyTorch.
  bool broadcast_shape(const Op& op, Shape* out) {
    const Shape& a = shape_of(op.inputs[0]);
    const Shape& b = shape_of(op.inputs[1]);
    const auto broadcast = broadcast_shapes(a, b);
    if (!broadcast) {
      return fail(
          "input shapes %s and %s do not broadcast",
          ShapeText(a).c_str(),
          ShapeText(b).c_str());
    }
    *out = *broadcast;
    return true;
  }

  // [..., in] x [out, in] (+ bias [out]) -> [..., out].
  bool linear_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    const Shape& w = shape_of(op.inputs[1]);
    if (x.rank < 1 || w.rank != 2 || x.dim(x.rank - 1) != w.dim(1)) {
      return fail(
          "input %s and weight %s do not match; weight must be "
          "[out_features, in_features] with in_features equal to the "
          "input's last dimension",
          ShapeText(x).c_str(),
          ShapeText(w).c_str());
    }
    if (op.inputs.size() > 2 && op.inputs[2] != kNoTensor) {
      const Shape& bias = shape_of(op.inputs[2]);
      if (bias.rank != 1 || bias.dim(0) != w.dim(0)) {
        return fail(
            "bias %s must be [%u] to match weight %s",
            ShapeText(bias).c_str(),
            w.dim(0),
            ShapeText(w).c_str());
      }
    }
    *out = x;
    out->sizes[x.rank - 1] = w.dim(0);
    return true;
  }

  // [n, k] x [k, m] -> [n, m].
  bool mm_shape(const Op& op, Shape* out) {
    const Shape& a = shape_of(op.inputs[0]);
    const Shape& b = shape_of(op.inputs[1]);
    if (a.rank != 2 || b.rank != 2 || a.dim(1) != b.dim(0)) {
      return fail(
          "shapes %s and %s are not [n, k] and [k, m]",
          ShapeText(a).c_str(),
          ShapeText(b).c_str());
    }
    out->rank = 2;
    out->sizes[0] = a.dim(0);
    out->sizes[1] = b.dim(1);
    return true;
  }

  // [b, n, k] x [b, k, m] -> [b, n, m].
  bool bmm_shape(const Op& op, Shape* out) {
    const Shape& a = shape_of(op.inputs[0]);
    const Shape& b = shape_of(op.inputs[1]);
    if (a.rank != 3 || b.rank != 3 || a.dim(0) != b.dim(0) ||
        a.dim(2) != b.dim(1)) {
      return fail(
          "shapes %s and %s are not [b, n, k] and [b, k, m]",
          ShapeText(a).c_str(),
          ShapeText(b).c_str());
    }
    out->rank = 3;
    out->sizes[0] = a.dim(0);
    out->sizes[1] = a.dim(1);
    out->sizes[2] = b.dim(2);
    return true;
  }

  // aten.convolution: input [n, c_in, *spatial] (1 or 2 spatial dims),
  // weight [c_out, c_in / groups, *kernel] ([c_in, c_out / groups, *kernel]
  // when transposed), optional bias [c_out].
  bool convolution_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    const Shape& w = shape_of(op.inputs[1]);
    if (x.rank < 3 || x.rank > 4 || w.rank != x.rank) {
      return fail(
          "input %s and weight %s are not [n, c, *spatial] with 1 or 2 "
          "spatial dimensions and weights of the same rank",
          ShapeText(x).c_str(),
          ShapeText(w).c_str());
    }
    const uint32_t spatial = x.rank - 2;
    int64_t stride[2] = {};
    int64_t padding[2] = {};
    int64_t dilation[2] = {};
    int64_t output_padding[2] = {};
    if (!spatial_list(op, "stride", spatial, 1, stride) ||
        !spatial_list(op, "padding", spatial, 0, padding) ||
        !spatial_list(op, "dilation", spatial, 1, dilation) ||
        !spatial_list(op, "output_padding", spatial, 0, output_padding)) {
      return false;
    }
    const int64_t groups = attr_named(op, "groups")->ints[0];
    const bool transposed = attr_named(op, "transposed")->ints[0] != 0;
    if (groups < 1 || x.dim(1) % groups != 0) {
      return fail(
          "groups %lld does not divide %u input channels",
          static_cast<long long>(groups),
          x.dim(1));
    }
    int64_t out_channels = 0;
    if (transposed) {
      if (w.dim(0) != x.dim(1)) {
        return fail(
            "transposed weight %s must be [%u, c_out / groups, ...]",
            ShapeText(w).c_str(),
            x.dim(1));
      }
      out_channels = int64_t(w.dim(1)) * groups;
    } else {
      if (int64_t(w.dim(1)) * groups != x.dim(1) || w.dim(0) % groups != 0) {
        return fail(
            "weight %s must be [c_out, %lld, ...] with c_out divisible by "
            "groups",
            ShapeText(w).c_str(),
            static_cast<long long>(x.dim(1) / groups));
      }
      out_channels = w.dim(0);
    }
    out->rank = x.rank;
    out->sizes[0] = x.dim(0);
    out->sizes[1] = static_cast<uint32_t>(out_channels);
    for (uint32_t d = 0; d < spatial; ++d) {
      const int64_t in = x.dim(2 + d);
      const int64_t k = w.dim(2 + d);
      int64_t size = 0;
      if (transposed) {
        if (output_padding[d] >= std::max(stride[d], dilation[d])) {
          return fail("output_padding must be below stride or dilation");
        }
        size = (in - 1) * stride[d] - 2 * padding[d] + dilation[d] * (k - 1) +
            output_padding[d] + 1;
      } else {
        if (output_padding[d] != 0) {
          return fail("output_padding is set but transposed is false");
        }
        const int64_t span = in + 2 * padding[d] - dilation[d] * (k - 1) - 1;
        size = span < 0 ? 0 : span / stride[d] + 1;
      }
      if (size < 1 || size > int64_t(UINT32_MAX)) {
        return fail(
            "spatial dimension %u of the output would be %lld",
            d,
            static_cast<long long>(size));
      }
      out->sizes[2 + d] = static_cast<uint32_t>(size);
    }
    if (op.inputs.size() > 2 && op.inputs[2] != kNoTensor) {
      const Shape& bias = shape_of(op.inputs[2]);
      if (bias.rank != 1 || bias.dim(0) != out_channels) {
        return fail(
            "bias %s must be [%lld]",
            ShapeText(bias).c_str(),
            static_cast<long long>(out_channels));
      }
    }
    return true;
  }

  // Pooling over the last two dimensions of [n, c, h, w] or [c, h, w]; an
  // empty stride means kernel_size; dilation is 1 for ops without it.
  bool pool2d_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    if (x.rank < 3 || x.rank > 4) {
      return fail(
          "input %s is not [n, c, h, w] or [c, h, w]", ShapeText(x).c_str());
    }
    int64_t kernel[2] = {};
    int64_t stride[2] = {};
    int64_t padding[2] = {};
    int64_t dilation[2] = {1, 1};
    if (!spatial_list(op, "kernel_size", 2, 1, kernel)) {
      return false;
    }
    stride[0] = kernel[0];
    stride[1] = kernel[1];
    if (!spatial_list(op, "stride", 2, 1, stride, true) ||
        !spatial_list(op, "padding", 2, 0, padding) ||
        (attr_named(op, "dilation") != nullptr &&
         !spatial_list(op, "dilation", 2, 1, dilation))) {
      return false;
    }
    const bool ceil_mode = attr_named(op, "ceil_mode")->ints[0] != 0;
    *out = x;
    for (uint32_t d = 0; d < 2; ++d) {
      const int64_t in = x.dim(x.rank - 2 + d);
      if (2 * padding[d] > kernel[d]) {
        return fail("padding must be at most half of kernel_size");
      }
      const int64_t span =
          in + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1;
      if (span < 0) {
        return fail(
            "kernel_size is larger than the padded input %s",
            ShapeText(x).c_str());
      }
      int64_t size = (span + (ceil_mode ? stride[d] - 1 : 0)) / stride[d] + 1;
      if (ceil_mode && (size - 1) * stride[d] >= in + padding[d]) {
        --size; // the last window must start inside the input or left padding
      }
      out->sizes[x.rank - 2 + d] = static_cast<uint32_t>(size);
    }
    return true;
  }

  // [n, c, h, w] or [c, h, w] (h and w at least 1) with its last two
  // dimensions replaced by attribute output_size.
  bool adaptive_pool2d_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    if (x.rank < 3 || x.rank > 4) {
      return fail(
          "input %s is not [n, c, h, w] or [c, h, w]", ShapeText(x).c_str());
    }
    if (x.dim(x.rank - 2) == 0 || x.dim(x.rank - 1) == 0) {
      return fail(
          "input %s needs a height and width >= 1", ShapeText(x).c_str());
    }
    int64_t output_size[2] = {};
    if (!spatial_list(op, "output_size", 2, 1, output_size)) {
      return false;
    }
    *out = x;
    out->sizes[x.rank - 2] = static_cast<uint32_t>(output_size[0]);
    out->sizes[x.rank - 1] = static_cast<uint32_t>(output_size[1]);
    return true;
  }

  // Input 0 reduced over attribute dim (empty: every dimension), keeping
  // size-1 dimensions when attribute keepdim is true.
  bool reduce_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    const std::vector<int64_t>& dims = attr_named(op, "dim")->ints;
    const bool keepdim = attr_named(op, "keepdim")->ints[0] != 0;
    const int64_t rank = std::max<int64_t>(x.rank, 1);
    bool reduced[kMaxRank] = {};
    for (const int64_t dim : dims) {
      if (dim < -rank || dim >= rank || reduced[(dim + rank) % rank]) {
        return fail(
            "attribute dim has %lld, outside the rank %u or repeated",
            static_cast<long long>(dim),
            x.rank);
      }
      reduced[(dim + rank) % rank] = true;
    }
    out->rank = 0;
    for (uint32_t d = 0; d < x.rank; ++d) {
      const bool reduce = dims.empty() || reduced[d];
      if (!reduce) {
        out->sizes[out->rank++] = x.dim(d);
      } else if (keepdim) {
        out->sizes[out->rank++] = 1;
      }
    }
    return true;
  }

  // Input [n, c, ...]; every other present operand (weight, bias, running
  // mean and variance) is [c]; the output has the input's shape.
  bool batch_norm_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    if (x.rank < 2) {
      return fail("input %s is not [n, c, ...]", ShapeText(x).c_str());
    }
    for (size_t i = 1; i < op.inputs.size(); ++i) {
      if (op.inputs[i] == kNoTensor) {
        continue;
      }
      const Shape& param = shape_of(op.inputs[i]);
      if (param.rank != 1 || param.dim(0) != x.dim(1)) {
        return fail(
            "operand %s is %s; it must be [%u]",
            op.schema->operands[i].name,
            ShapeText(param).c_str(),
            x.dim(1));
      }
    }
    *out = x;
    return true;
  }

  // Input 0's shape; attribute dim must be one of its dimensions (rank 0
  // counts as 1), as softmax needs.
  bool along_dim_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    const int64_t dim = attr_named(op, "dim")->ints[0];
    const int64_t rank = std::max<int64_t>(x.rank, 1);
    if (dim < -rank || dim >= rank) {
      return fail(
          "attribute dim is %lld, outside the rank %u",
          static_cast<long long>(dim),
          x.rank);
    }
    *out = x;
    return true;
  }

  // The value of int attribute `name` as a dimension index of a tensor of
  // `rank` dimensions (negative counts from the end).
  bool
  dim_attr(const Op& op, const char* name, uint32_t rank, uint32_t* index) {
    const int64_t dim = attr_named(op, name)->ints[0];
    const auto wrapped = wrap_dim(dim, rank);
    if (!wrapped) {
      return fail(
          "attribute %s is %lld, outside the rank %u",
          name,
          static_cast<long long>(dim),
          rank);
    }
    *index = *wrapped;
    return true;
  }

  // Input [..., *normalized_shape] by attribute normalized_shape; optional
  // weight and bias of shape normalized_shape; the output has x's shape.
  bool layer_norm_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    const std::vector<int64_t>& normalized =
        attr_named(op, "normalized_shape")->ints;
    const uint32_t count = static_cast<uint32_t>(normalized.size());
    bool ok = count >= 1 && count <= x.rank;
    for (uint32_t i = 0; ok && i < count; ++i) {
      ok = normalized[i] == int64_t(x.dim(x.rank - count + i));
    }
    if (!ok) {
      return fail(
          "attribute normalized_shape is not the trailing dimensions of the "
          "input %s",
          ShapeText(x).c_str());
    }
    for (size_t i = 1; i < op.inputs.size(); ++i) {
      if (op.inputs[i] == kNoTensor) {
        continue;
      }
      const Shape& param = shape_of(op.inputs[i]);
      bool same = param.rank == count;
      for (uint32_t d = 0; same && d < count; ++d) {
        same = int64_t(param.dim(d)) == normalized[d];
      }
      if (!same) {
        return fail(
            "operand %s is %s; it must be normalized_shape",
            op.schema->operands[i].name,
            ShapeText(param).c_str());
      }
    }
    *out = x;
    return true;
  }

  // Every input, all of one rank, joined along attribute dim; they agree on
  // every other dimension.
  bool cat_shape(const Op& op, Shape* out) {
    const Shape& first = shape_of(op.inputs[0]);
    uint32_t dim = 0;
    if (first.rank == 0) {
      return fail("cannot join rank-0 tensors");
    }
    if (!dim_attr(op, "dim", first.rank, &dim)) {
      return false;
    }
    uint64_t total = 0;
    for (const uint32_t id : op.inputs) {
      const Shape& shape = shape_of(id);
      bool same = shape.rank == first.rank;
      for (uint32_t d = 0; same && d < first.rank; ++d) {
        same = d == dim || shape.dim(d) == first.dim(d);
      }
      if (!same) {
        return fail(
            "cannot join %s and %s along dimension %u",
            ShapeText(first).c_str(),
            ShapeText(shape).c_str(),
            dim);
      }
      total += shape.rank == 0 ? 0 : shape.dim(dim);
    }
    if (total > UINT32_MAX) {
      return fail("the joined dimension exceeds u32");
    }
    *out = first;
    out->sizes[dim] = static_cast<uint32_t>(total);
    return true;
  }

  // Output `index` of one output per attribute split_sizes entry: input 0
  // cut along attribute dim. The sizes must add up to that dimension, and
  // the op must have one output per size.
  bool split_shape(const Op& op, uint32_t index, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    const std::vector<int64_t>& sizes = attr_named(op, "split_sizes")->ints;
    uint32_t dim = 0;
    if (x.rank == 0) {
      return fail("cannot split a rank-0 tensor");
    }
    if (!dim_attr(op, "dim", x.rank, &dim)) {
      return false;
    }
    if (sizes.size() != op.outputs.size()) {
      return fail(
          "it has %zu outputs; attribute split_sizes gives %zu",
          op.outputs.size(),
          sizes.size());
    }
    int64_t total = 0;
    for (const int64_t size : sizes) {
      if (size < 0 || size > int64_t(x.dim(dim))) {
        return fail(
            "split size %lld does not fit dimension %u of %s",
            static_cast<long long>(size),
            dim,
            ShapeText(x).c_str());
      }
      total += size;
    }
    if (total != int64_t(x.dim(dim))) {
      return fail(
          "split sizes add up to %lld, not dimension %u of %s",
          static_cast<long long>(total),
          dim,
          ShapeText(x).c_str());
    }
    *out = x;
    out->sizes[dim] = static_cast<uint32_t>(sizes[index]);
    return true;
  }

  // query [..., l, e], key [..., s, e], value [..., s, ev] with the same
  // batch dimensions; an optional mask broadcasts to [..., l, s].
  bool attention_shape(const Op& op, Shape* out) {
    const Shape& q = shape_of(op.inputs[0]);
    const Shape& k = shape_of(op.inputs[1]);
    const Shape& v = shape_of(op.inputs[2]);
    bool ok = q.rank >= 2 && k.rank == q.rank && v.rank == q.rank;
    for (uint32_t d = 0; ok && d + 2 < q.rank; ++d) {
      ok = k.dim(d) == q.dim(d) && v.dim(d) == q.dim(d);
    }
    if (!ok || k.dim(k.rank - 1) != q.dim(q.rank - 1) ||
        v.dim(v.rank - 2) != k.dim(k.rank - 2)) {
      return fail(
          "query %s, key %s and value %s are not [..., l, e], [..., s, e] "
          "and [..., s, ev] with the same batch dimensions",
          ShapeText(q).c_str(),
          ShapeText(k).c_str(),
          ShapeText(v).c_str());
    }
    Shape scores = q;
    scores.sizes[q.rank - 1] = k.dim(k.rank - 2);
    if (op.inputs.size() > 3 && op.inputs[3] != kNoTensor) {
      const Shape& mask = shape_of(op.inputs[3]);
      const auto broadcast = broadcast_shapes(mask, scores);
      if (mask.rank > scores.rank || !broadcast || *broadcast != scores) {
        return fail(
            "mask %s does not broadcast to %s",
            ShapeText(mask).c_str(),
            ShapeText(scores).c_str());
      }
    }
    *out = q;
    out->sizes[q.rank - 1] = v.dim(v.rank - 1);
    return true;
  }

  // self broadcastable to [n, m], mat1 [n, k], mat2 [k, m] -> [n, m].
  bool addmm_shape(const Op& op, Shape* out) {
    const Shape& bias = shape_of(op.inputs[0]);
    const Shape& a = shape_of(op.inputs[1]);
    const Shape& b = shape_of(op.inputs[2]);
    if (a.rank != 2 || b.rank != 2 || a.dim(1) != b.dim(0)) {
      return fail(
          "mat1 %s and mat2 %s are not [n, k] and [k, m]",
          ShapeText(a).c_str(),
          ShapeText(b).c_str());
    }
    out->rank = 2;
    out->sizes[0] = a.dim(0);
    out->sizes[1] = b.dim(1);
    const auto broadcast = broadcast_shapes(bias, *out);
    if (bias.rank > 2 || !broadcast || *broadcast != *out) {
      return fail(
          "self %s does not broadcast to %s",
          ShapeText(bias).c_str(),
          ShapeText(*out).c_str());
    }
    return true;
  }

  // No operands: the attribute size, each entry >= 0.
  bool full_shape(const Op& op, Shape* out) {
    Size size;
    if (!size_attr(op, &size)) {
      return false;
    }
    out->rank = static_cast<uint32_t>(size.count);
    for (uint32_t d = 0; d < out->rank; ++d) {
      const int64_t entry = size.entries[d];
      if (entry < 0 || entry > int64_t(UINT32_MAX)) {
        return fail("attribute size has %lld", static_cast<long long>(entry));
      }
      out->sizes[d] = static_cast<uint32_t>(entry);
    }
    return true;
  }

  // --- shape and layout rules: the output holds operand 0's elements.

  // Attribute size, with at most one -1 standing for the size that keeps
  // the input's element count.
  bool view_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    Size resolved;
    if (!size_attr(op, &resolved)) {
      return false;
    }
    const int64_t* size = resolved.entries.data();
    const size_t count = numel(x);
    bool ok = true;
    int64_t inferred = -1;
    size_t known = 1;
    for (size_t d = 0; ok && d < resolved.count; ++d) {
      if (size[d] == -1 && inferred < 0) {
        inferred = int64_t(d);
        continue;
      }
      const auto product = checked_mul(known, size_t(size[d]));
      ok = size[d] >= 0 && size[d] <= int64_t(UINT32_MAX) && product;
      known = ok ? *product : 0;
      out->sizes[d] = static_cast<uint32_t>(size[d]);
    }
    if (ok && inferred >= 0) {
      ok = known != 0 && count % known == 0 && count / known <= UINT32_MAX;
      out->sizes[inferred] = ok ? static_cast<uint32_t>(count / known) : 0;
      known = count;
    }
    if (!ok || known != count) {
      return fail(
          "cannot view %s as attribute size (at most %zu sizes >= 0, one of "
          "them may be -1, keeping %zu elements)",
          ShapeText(x).c_str(),
          kMaxRank,
          count);
    }
    out->rank = static_cast<uint32_t>(resolved.count);
    return true;
  }

  // Input dimension dims[d] becomes output dimension d.
  bool permute_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    const std::vector<int64_t>& dims = attr_named(op, "dims")->ints;
    bool ok = dims.size() == x.rank;
    bool seen[kMaxRank] = {};
    for (uint32_t d = 0; ok && d < x.rank; ++d) {
      const auto dim = wrap_dim(dims[d], x.rank);
      ok = dim && !seen[*dim];
      if (ok) {
        seen[*dim] = true;
        out->sizes[d] = x.dim(*dim);
      }
    }
    if (!ok) {
      return fail(
          "attribute dims is not a permutation of the %u dimensions of %s",
          x.rank,
          ShapeText(x).c_str());
    }
    out->rank = x.rank;
    return true;
  }

  // The dimensions listed in attribute dims that have size 1 are removed.
  bool squeeze_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    const std::vector<int64_t>& dims = attr_named(op, "dims")->ints;
    bool listed[kMaxRank] = {};
    for (const int64_t dim : dims) {
      const auto index = wrap_dim(dim, x.rank);
      if (!index || listed[*index]) {
        return fail(
            "attribute dims has %lld, outside the rank %u or repeated",
            static_cast<long long>(dim),
            x.rank);
      }
      listed[*index] = true;
    }
    out->rank = 0;
    for (uint32_t d = 0; d < x.rank; ++d) {
      if (!(listed[d] && x.dim(d) == 1)) {
        out->sizes[out->rank++] = x.dim(d);
      }
    }
    return true;
  }

  // A size-1 dimension inserted at attribute dim (from -(rank + 1) to rank).
  bool unsqueeze_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    uint32_t dim = 0;
    if (x.rank >= kMaxRank) {
      return fail("the output would have more than %zu dimensions", kMaxRank);
    }
    if (!dim_attr(op, "dim", x.rank + 1, &dim)) {
      return false;
    }
    out->rank = x.rank + 1;
    for (uint32_t d = 0; d < out->rank; ++d) {
      out->sizes[d] = d < dim ? x.dim(d) : (d == dim ? 1 : x.dim(d - 1));
    }
    return true;
  }

  // The input broadcast to attribute size, aligned from the right: each
  // input dimension is kept (-1 or its size) or is 1; new dimensions lead.
  bool expand_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    Size resolved;
    if (!size_attr(op, &resolved)) {
      return false;
    }
    const int64_t* size = resolved.entries.data();
    bool ok = resolved.count >= x.rank;
    const size_t added = ok ? resolved.count - x.rank : 0;
    for (size_t d = 0; ok && d < resolved.count; ++d) {
      int64_t target = size[d];
      if (d >= added) {
        const int64_t current = x.dim(uint32_t(d - added));
        target = target == -1 ? current : target;
        ok = current == 1 || current == target;
      }
      ok = ok && target >= 0 && target <= int64_t(UINT32_MAX);
      out->sizes[d] = static_cast<uint32_t>(target);
    }
    if (!ok) {
      return fail("cannot expand %s to attribute size", ShapeText(x).c_str());
    }
    out->rank = static_cast<uint32_t>(resolved.count);
    return true;
  }

  // Along attribute dim, the elements start, start + step, ... below end
  // (start and end clamped as PyTorch does; step at least 1).
  bool slice_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    uint32_t dim = 0;
    if (x.rank == 0) {
      return fail("cannot slice a rank-0 tensor");
    }
    if (!dim_attr(op, "dim", x.rank, &dim)) {
      return false;
    }
    const int64_t step = attr_named(op, "step")->ints[0];
    if (step < 1) {
      return fail(
          "attribute step is %lld; it must be at least 1",
          static_cast<long long>(step));
    }
    const SliceBounds bounds = slice_bounds(
        x.dim(dim),
        attr_named(op, "start")->ints[0],
        attr_named(op, "end")->ints[0],
        step);
    *out = x;
    out->sizes[dim] = static_cast<uint32_t>(bounds.count);
    return true;
  }

  // Attribute dim removed, keeping the elements at attribute index.
  bool select_shape(const Op& op, Shape* out) {
    const Shape& x = shape_of(op.inputs[0]);
    uint32_t dim = 0;
    if (x.rank == 0) {
      return fail("cannot select from a rank-0 tensor");
    }
    if (!dim_attr(op, "dim", x.rank, &dim)) {
      return false;
    }
    const int64_t index = attr_named(op, "index")->ints[0];
    if (index < -int64_t(x.dim(dim)) || index >= int64_t(x.dim(dim))) {
      return fail(
          "attribute index %lld is outside dimension %u of %s",
          static_cast<long long>(index),
          dim,
          ShapeText(x).c_str());
    }
    out->rank = 0;
    for (uint32_t d = 0; d < x.rank; ++d) {
      if (d != dim) {
        out->sizes[out->rank++] = x.dim(d);
      }
    }
    return true;
  }

  const std::vector<TensorInfo>& tensors_;
  ShapeError* error_;
};

// Little-endian reads from a buffer whose bounds the caller has checked. Byte
// by byte, so neither the host's byte order nor the blob's alignment matters.
class ByteReader {
 public:
  explicit ByteReader(const uint8_t* data) : data_(data) {}

  uint32_t u32(size_t offset) const {
    const uint8_t* p = data_ + offset;
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
        uint32_t(p[3]) << 24;
  }
  uint64_t u64(size_t offset) const {
    return uint64_t(u32(offset)) | uint64_t(u32(offset + 4)) << 32;
  }
  int32_t i32(size_t offset) const {
    const uint32_t bits = u32(offset);
    int32_t value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  int64_t i64(size_t offset) const {
    const uint64_t bits = u64(offset);
    int64_t value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  float f32(size_t offset) const {
    const uint32_t bits = u32(offset);
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  double f64(size_t offset) const {
    const uint64_t bits = u64(offset);
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  const uint8_t* at(size_t offset) const {
    return data_ + offset;
  }

 private:
  const uint8_t* data_;
};

struct Header {
  uint32_t version;
  uint32_t header_size;
  uint32_t num_tensors;
  uint32_t num_ops;
  uint32_t num_attrs;
  uint32_t num_refs;
  uint32_t num_values;
  uint32_t num_qparams;
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t num_constants;
  uint32_t string_table_size;
  uint32_t flags;
  uint64_t total_size;
};

// Byte offsets of the sections; see the layout table in FORMAT.md.
struct Layout {
  uint64_t tensors;
  uint64_t ops;
  uint64_t attrs;
  uint64_t refs;
  uint64_t values;
  uint64_t qparams;
  uint64_t inputs;
  uint64_t outputs;
  uint64_t constants;
  uint64_t strings;
  uint64_t end;
};

// Each count is a u32 and each record at most 64 bytes, so every term is
// below 2^38 and the sum of eleven cannot overflow 64 bits.
Layout layout_of(const Header& h) {
  Layout l;
  l.tensors = kHeaderSize;
  l.ops = l.tensors + uint64_t(h.num_tensors) * kTensorRecordSize;
  l.attrs = l.ops + uint64_t(h.num_ops) * kOpRecordSize;
  l.refs = l.attrs + uint64_t(h.num_attrs) * kAttrRecordSize;
  l.values = l.refs + uint64_t(h.num_refs) * kTensorRefSize;
  l.qparams = l.values + uint64_t(h.num_values) * kValueSize;
  l.inputs = l.qparams + uint64_t(h.num_qparams) * kQParamRecordSize;
  l.outputs = l.inputs + uint64_t(h.num_inputs) * kTensorIdSize;
  l.constants = l.outputs + uint64_t(h.num_outputs) * kTensorIdSize;
  l.strings = l.constants + uint64_t(h.num_constants) * kConstantRecordSize;
  l.end = l.strings + h.string_table_size;
  return l;
}

const char* attr_type_name(uint32_t type) {
  switch (static_cast<AttrType>(type)) {
    case AttrType::Int:
      return "int";
    case AttrType::Float:
      return "float";
    case AttrType::Bool:
      return "bool";
    case AttrType::IntList:
      return "int list";
    case AttrType::FloatList:
      return "float list";
  }
  return "unknown";
}

bool is_float_attr(AttrType type) {
  return type == AttrType::Float || type == AttrType::FloatList;
}

bool is_list_attr(AttrType type) {
  return type == AttrType::IntList || type == AttrType::FloatList;
}

class Parser {
 public:
  Parser(const uint8_t* data, size_t size) : reader_(data), size_(size) {}

  bool parse() {
    return parse_header() && parse_tensors() && parse_inputs() &&
        parse_constants() && parse_ops() && parse_outputs() &&
        check_every_tensor_defined();
  }

  Graph& graph() {
    return graph_;
  }
  std::string& error() {
    return error_;
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool parse_header() {
    if (size_ < 8) {
      return fail(format(
          "blob is %zu bytes, shorter than the %zu-byte header",
          size_,
          kHeaderSize));
    }
    const uint8_t* magic = reader_.at(0);
    if (std::memcmp(magic, kBlobMagic, sizeof(kBlobMagic)) != 0) {
      return fail(format(
          "bad magic %02x %02x %02x %02x, expected 'ETRB'; this is not a "
          "{{ cookiecutter.__backend_id }} blob",
          magic[0],
          magic[1],
          magic[2],
          magic[3]));
    }
    // The version first: an old blob gets this message, whatever its size.
    header_.version = reader_.u32(4);
    if (header_.version != kFormatVersion) {
      return fail(format(
          "format version %u; this runtime reads version %u: re-export the "
          "model with this release",
          header_.version,
          kFormatVersion));
    }
    if (size_ < kHeaderSize) {
      return fail(format(
          "blob is %zu bytes, shorter than the %zu-byte header",
          size_,
          kHeaderSize));
    }
    header_.header_size = reader_.u32(8);
    header_.num_tensors = reader_.u32(12);
    header_.num_ops = reader_.u32(16);
    header_.num_attrs = reader_.u32(20);
    header_.num_refs = reader_.u32(24);
    header_.num_values = reader_.u32(28);
    header_.num_qparams = reader_.u32(32);
    header_.num_inputs = reader_.u32(36);
    header_.num_outputs = reader_.u32(40);
    header_.num_constants = reader_.u32(44);
    header_.string_table_size = reader_.u32(48);
    header_.flags = reader_.u32(52);
    header_.total_size = reader_.u64(56);
    if (header_.header_size != kHeaderSize) {
      return fail(format(
          "header_size is %u, expected %zu", header_.header_size, kHeaderSize));
    }
    if (header_.flags != 0) {
      return fail(format(
          "flags is 0x%x; version %u defines no flags",
          header_.flags,
          kFormatVersion));
    }
    if (header_.total_size != size_) {
      return fail(format(
          "total_size is %llu but the blob is %zu bytes (truncated or "
          "corrupted)",
          static_cast<unsigned long long>(header_.total_size),
          size_));
    }
    layout_ = layout_of(header_);
    if (layout_.end != header_.total_size) {
      return fail(format(
          "sections add up to %llu bytes but total_size is %llu",
          static_cast<unsigned long long>(layout_.end),
          static_cast<unsigned long long>(header_.total_size)));
    }
    return true;
  }

  // [first, first + count) lies inside a section of `size` entries.
  bool check_range(
      uint32_t first,
      uint32_t count,
      uint32_t size,
      const std::string& what,
      const char* section) {
    if (uint64_t(first) + count > size) {
      return fail(format(
          "%s spans %s [%u, %llu), outside the %u entries of that section",
          what.c_str(),
          section,
          first,
          static_cast<unsigned long long>(uint64_t(first) + count),
          size));
    }
    return true;
  }

  bool parse_quantization(uint32_t id, size_t base, TensorInfo& tensor) {
    const std::string what = format("tensor %u", id);
    const uint32_t scheme = reader_.u32(base + 44);
    tensor.quant_axis = reader_.u32(base + 48);
    const uint32_t first = reader_.u32(base + 52);
    const uint32_t count = reader_.u32(base + 56);
    if (scheme == uint32_t(QuantScheme::None)) {
      if (tensor.quant_axis != 0 || first != 0 || count != 0) {
        return fail(what + " is not quantized but has a quant axis or qparams");
      }
      return true;
    }
    if (scheme != uint32_t(QuantScheme::PerTensor) &&
        scheme != uint32_t(QuantScheme::PerChannel)) {
      return fail(format(
          "%s has quant_scheme %u; known: 0 (none), 1 (per tensor), 2 (per "
          "channel)",
          what.c_str(),
          scheme));
    }
    tensor.quant_scheme = static_cast<QuantScheme>(scheme);
    int32_t low = 0;
    int32_t high = 0;
    switch (tensor.dtype) {
      case kDtypeInt8:
        low = -128, high = 127;
        break;
      case kDtypeUInt8:
        low = 0, high = 255;
        break;
      case kDtypeInt32:
        break; // zero point 0
      default:
        return fail(format(
            "%s is quantized but has dtype %s; only int8, uint8 and int32 "
            "tensors carry quantization parameters",
            what.c_str(),
            dtype_name(tensor.dtype)));
    }
    uint32_t expected = 1;
    if (tensor.quant_scheme == QuantScheme::PerChannel) {
      if (tensor.quant_axis >= tensor.shape.rank) {
        return fail(format(
            "%s is quantized per channel along axis %u; its rank is %u",
            what.c_str(),
            tensor.quant_axis,
            tensor.shape.rank));
      }
      if ((tensor.dynamic_dims >> tensor.quant_axis) & 1) {
        return fail(format(
            "%s is quantized per channel along axis %u, which is dynamic; "
            "the channel dimension must be static",
            what.c_str(),
            tensor.quant_axis));
      }
      expected = tensor.shape.sizes[tensor.quant_axis];
    } else if (tensor.quant_axis != 0) {
      return fail(format(
          "%s is quantized per tensor but has quant_axis %u",
          what.c_str(),
          tensor.quant_axis));
    }
    if (count != expected) {
      return fail(
          format("%s needs %u qparams, has %u", what.c_str(), expected, count));
    }
    if (!check_range(
            first, count, header_.num_qparams, what + " qparams", "qparams")) {
      return false;
    }
    tensor.qparams.resize(count);
    for (uint32_t i = 0; i < count; ++i) {
      const size_t at = layout_.qparams + size_t(first + i) * kQParamRecordSize;
      QuantParam& q = tensor.qparams[i];
      q.scale = reader_.f32(at);
      q.zero_point = reader_.i32(at + 4);
      if (!(std::isfinite(q.scale) && q.scale > 0.0f)) {
        return fail(format(
            "%s scale %u is %g; scales are finite and > 0",
            what.c_str(),
            i,
            double(q.scale)));
      }
      if (q.zero_point < low || q.zero_point > high) {
        return fail(format(
            "%s zero point %u is %d, outside %d..%d (%s)",
            what.c_str(),
            i,
            q.zero_point,
            low,
            high,
            dtype_name(tensor.dtype)));
      }
    }
    return true;
  }

  bool parse_tensors() {
    graph_.tensors.resize(header_.num_tensors);
    defined_.assign(header_.num_tensors, false);
    for (uint32_t i = 0; i < header_.num_tensors; ++i) {
      const size_t base = layout_.tensors + size_t(i) * kTensorRecordSize;
      TensorInfo& tensor = graph_.tensors[i];
      tensor.dtype = reader_.u32(base);
      const size_t item_size = element_size(tensor.dtype);
      if (item_size == 0) {
        return fail(format(
            "tensor %u has dtype %u; the format allows 0 (uint8), 1 (int8), "
            "3 (int32), 4 (int64) and 6 (float32)",
            i,
            tensor.dtype));
      }
      tensor.shape.rank = reader_.u32(base + 4);
      if (tensor.shape.rank > kMaxRank) {
        return fail(format(
            "tensor %u has rank %u; at most %zu is supported",
            i,
            tensor.shape.rank,
            kMaxRank));
      }
      for (uint32_t d = 0; d < kMaxRank; ++d) {
        const uint32_t size = reader_.u32(base + 8 + 4 * d);
        if (d >= tensor.shape.rank && size != 0) {
          return fail(format(
              "tensor %u has rank %u but size[%u] is %u instead of 0",
              i,
              tensor.shape.rank,
              d,
              size));
        }
        tensor.shape.sizes[d] = size;
      }
      const auto numel = checked_numel(tensor.shape);
      const auto nbytes = numel ? checked_mul(*numel, item_size) : std::nullopt;
      if (!nbytes) {
        return fail(format(
            "tensor %u of shape %s is too large to address",
            i,
            shape_string(tensor.shape).c_str()));
      }
      tensor.numel = *numel;
      tensor.nbytes = *nbytes;
      tensor.dynamic_dims = reader_.u32(base + 40);
      if (tensor.shape.rank < 32 &&
          (tensor.dynamic_dims >> tensor.shape.rank) != 0) {
        return fail(format(
            "tensor %u has dynamic_dims 0x%x, which marks dimensions beyond "
            "its rank %u",
            i,
            tensor.dynamic_dims,
            tensor.shape.rank));
      }
      if (reader_.u32(base + 60) != 0) {
        return fail(format("tensor %u has a non-zero reserved field", i));
      }
      if (!parse_quantization(i, base, tensor)) {
        return false;
      }
    }
    return true;
  }

  bool check_tensor_id(uint32_t id, const std::string& what) {
    if (id >= header_.num_tensors) {
      return fail(format(
          "%s refers to tensor %u, but the blob has %u tensors",
          what.c_str(),
          id,
          header_.num_tensors));
    }
    return true;
  }

  // A tensor is exactly one of: a delegate input, a constant, or an output
  // of one op.
  bool define(uint32_t id, TensorSource source, const std::string& what) {
    if (defined_[id]) {
      return fail(format(
          "%s defines tensor %u, which is already defined", what.c_str(), id));
    }
    defined_[id] = true;
    graph_.tensors[id].source = source;
    return true;
  }

  bool read_string(
      uint32_t offset,
      uint32_t length,
      const std::string& what,
      std::string* out) {
    if (uint64_t(offset) + length > header_.string_table_size) {
      return fail(format(
          "%s spans string table bytes [%u, %llu), outside the %u-byte "
          "table",
          what.c_str(),
          offset,
          static_cast<unsigned long long>(uint64_t(offset) + length),
          header_.string_table_size));
    }
    const auto* chars =
        reinterpret_cast<const char*>(reader_.at(layout_.strings + offset));
    // Names and keys end up in log messages, and a log sink may decode them
    // (the Python bindings do, and abort the process on bad UTF-8).
    if (!is_valid_utf8(reinterpret_cast<const uint8_t*>(chars), length)) {
      return fail(format("%s is not valid UTF-8", what.c_str()));
    }
    out->assign(chars, length);
    return true;
  }

  // Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
  static bool is_valid_utf8(const uint8_t* bytes, size_t length) {
    size_t i = 0;
    while (i < length) {
      const uint8_t lead = bytes[i];
      size_t extra = 0;
      uint32_t min = 0;
      uint32_t code = 0;
      if (lead < 0x80) {
        ++i;
        continue;
      } else if ((lead & 0xE0) == 0xC0) {
        extra = 1, min = 0x80, code = lead & 0x1F;
      } else if ((lead & 0xF0) == 0xE0) {
        extra = 2, min = 0x800, code = lead & 0x0F;
      } else if ((lead & 0xF8) == 0xF0) {
        extra = 3, min = 0x10000, code = lead & 0x07;
      } else {
        return false;
      }
      if (extra >= length - i) {
        return false;
      }
      for (size_t k = 1; k <= extra; ++k) {
        if ((bytes[i + k] & 0xC0) != 0x80) {
          return false;
        }
        code = (code << 6) | (bytes[i + k] & 0x3F);
      }
      if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        return false;
      }
      i += extra + 1;
    }
    return true;
  }

  bool parse_inputs() {
    graph_.input_ids.resize(header_.num_inputs);
    for (uint32_t i = 0; i < header_.num_inputs; ++i) {
      const uint32_t id = reader_.u32(layout_.inputs + size_t(i) * 4);
      const std::string what = format("delegate input %u", i);
      if (!check_tensor_id(id, what) ||
          !define(id, TensorSource::Input, what)) {
        return false;
      }
      graph_.input_ids[i] = id;
    }
    return true;
  }

  bool parse_constants() {
    graph_.constants.resize(header_.num_constants);
    for (uint32_t i = 0; i < header_.num_constants; ++i) {
      const size_t base = layout_.constants + size_t(i) * kConstantRecordSize;
      ConstantRef& constant = graph_.constants[i];
      const std::string what = format("constant %u", i);
      constant.tensor_id = reader_.u32(base);
      if (!check_tensor_id(constant.tensor_id, what) ||
          !define(constant.tensor_id, TensorSource::Constant, what) ||
          !read_string(
              reader_.u32(base + 4),
              reader_.u32(base + 8),
              what + " key",
              &constant.key)) {
        return false;
      }
      if (constant.key.empty()) {
        return fail(what + " has an empty key");
      }
      if (reader_.u32(base + 12) != 0) {
        return fail(what + " has a non-zero reserved field");
      }
      constant.nbytes = reader_.u64(base + 16);
      const TensorInfo& tensor = graph_.tensors[constant.tensor_id];
      if (tensor.dynamic_dims != 0) {
        return fail(format(
            "%s fills tensor %u, which has dynamic_dims 0x%x; constants have "
            "static shapes",
            what.c_str(),
            constant.tensor_id,
            tensor.dynamic_dims));
      }
      if (constant.nbytes != tensor.nbytes) {
        return fail(format(
            "%s declares %llu bytes but tensor %u of shape %s (%s) needs %zu",
            what.c_str(),
            static_cast<unsigned long long>(constant.nbytes),
            constant.tensor_id,
            shape_string(tensor.shape).c_str(),
            dtype_name(tensor.dtype),
            tensor.nbytes));
      }
    }
    return true;
  }

  static std::string describe(uint32_t index, const Op& op) {
    std::string text = format("op %u (%s", index, op.schema->name);
    if (!op.name.empty()) {
      // Names are untrusted bytes; keep the message one printable line.
      text += " '";
      for (char c : op.name) {
        text += (c >= 0x20 && c < 0x7f) ? c : '?';
      }
      text += "'";
    }
    return text + ")";
  }

  bool parse_attribute(
      const std::string& what,
      const AttrSchema& schema,
      size_t base,
      Attribute* attr) {
    const std::string attr_what = what + " attribute " + schema.name;
    const uint32_t type = reader_.u32(base);
    if (type != uint32_t(schema.type)) {
      return fail(format(
          "%s has type %u (%s); the schema says %u (%s)",
          attr_what.c_str(),
          type,
          attr_type_name(type),
          uint32_t(schema.type),
          attr_type_name(uint32_t(schema.type))));
    }
    attr->type = schema.type;
    const uint32_t count = reader_.u32(base + 4);
    const uint32_t first = reader_.u32(base + 8);
    if (reader_.u32(base + 12) != 0) {
      return fail(attr_what + " has a non-zero reserved field");
    }
    if (!is_list_attr(schema.type) && count != 1) {
      return fail(format(
          "%s is a scalar with count %u; scalars have 1",
          attr_what.c_str(),
          count));
    }
    if (!check_range(first, count, header_.num_values, attr_what, "values")) {
      return false;
    }
    for (uint32_t i = 0; i < count; ++i) {
      const size_t at = layout_.values + size_t(first + i) * kValueSize;
      if (is_float_attr(schema.type)) {
        const double value = reader_.f64(at);
        if (std::isnan(value)) {
          return fail(format("%s value %u is NaN", attr_what.c_str(), i));
        }
        attr->floats.push_back(value);
      } else {
        const int64_t value = reader_.i64(at);
        if (schema.type == AttrType::Bool && value != 0 && value != 1) {
          return fail(format(
              "%s is a bool holding %lld; bools are 0 or 1",
              attr_what.c_str(),
              static_cast<long long>(value)));
        }
        attr->ints.push_back(value);
      }
    }
    return true;
  }

  bool check_dtype(const Op& op, uint32_t id, const std::string& what) {
    const uint32_t dtype = graph_.tensors[id].dtype;
    for (uint32_t i = 0; i < op.schema->num_dtypes; ++i) {
      if (op.schema->dtypes[i] == dtype) {
        return true;
      }
    }
    std::string allowed;
    for (uint32_t i = 0; i < op.schema->num_dtypes; ++i) {
      allowed += (i == 0 ? "" : ", ");
      allowed += dtype_name(op.schema->dtypes[i]);
    }
    return fail(format(
        "%s uses tensor %u of dtype %s; it takes %s",
        what.c_str(),
        id,
        dtype_name(dtype),
        allowed.c_str()));
  }

  bool parse_op(uint32_t index, Op& op) {
    const size_t base = layout_.ops + size_t(index) * kOpRecordSize;
    const uint32_t opcode = reader_.u32(base);
    op.schema = find_op_schema(opcode);
    if (op.schema == nullptr) {
      return fail(format(
          "op %u has unknown opcode %u; this runtime knows 1 to %u",
          index,
          opcode,
          kMaxOpCode));
    }
    op.opcode = op.schema->opcode;
    if (!read_string(
            reader_.u32(base + 28),
            reader_.u32(base + 32),
            format("op %u name", index),
            &op.name)) {
      return false;
    }
    const std::string what = describe(index, op);
    const uint32_t inputs_first = reader_.u32(base + 4);
    const uint32_t num_inputs = reader_.u32(base + 8);
    const uint32_t outputs_first = reader_.u32(base + 12);
    const uint32_t num_outputs = reader_.u32(base + 16);
    const uint32_t attrs_first = reader_.u32(base + 20);
    const uint32_t num_attrs = reader_.u32(base + 24);
    if (reader_.u32(base + 36) != 0) {
      return fail(what + " has a non-zero reserved field");
    }
    const bool variadic_inputs = has_variadic_operand(*op.schema);
    if (variadic_inputs ? num_inputs < op.schema->num_operands
                        : num_inputs != op.schema->num_operands) {
      return fail(format(
          "%s has %u inputs, expected %s%u",
          what.c_str(),
          num_inputs,
          variadic_inputs ? "at least " : "",
          op.schema->num_operands));
    }
    if (op.schema->variadic_outputs ? num_outputs < 1
                                    : num_outputs != op.schema->num_outputs) {
      return fail(format(
          "%s has %u outputs, expected %s%u",
          what.c_str(),
          num_outputs,
          op.schema->variadic_outputs ? "at least " : "",
          op.schema->variadic_outputs ? 1 : op.schema->num_outputs));
    }
    if (num_attrs != op.schema->num_attrs) {
      return fail(format(
          "%s has %u attributes, expected %u",
          what.c_str(),
          num_attrs,
          op.schema->num_attrs));
    }
    if (!check_range(
            inputs_first,
            num_inputs,
            header_.num_refs,
            what + " inputs",
            "tensor refs") ||
        !check_range(
            outputs_first,
            num_outputs,
            header_.num_refs,
            what + " outputs",
            "tensor refs") ||
        !check_range(
            attrs_first,
            num_attrs,
            header_.num_attrs,
            what + " attributes",
            "attributes")) {
      return false;
    }
    op.inputs.resize(num_inputs);
    for (uint32_t slot = 0; slot < num_inputs; ++slot) {
      const uint32_t id = reader_.u32(
          layout_.refs + size_t(inputs_first + slot) * kTensorRefSize);
      const OperandSchema& operand = operand_of(*op.schema, slot);
      const std::string input_what = what + " operand " + operand.name;
      op.inputs[slot] = id;
      if (id == kNoTensor) {
        if (!operand.optional) {
          return fail(input_what + " is absent; it is not optional");
        }
        continue;
      }
      if (!check_tensor_id(id, input_what)) {
        return false;
      }
      if (!defined_[id]) {
        return fail(format(
            "%s reads tensor %u before any input, constant or earlier op "
            "defines it",
            input_what.c_str(),
            id));
      }
      if (!check_dtype(op, id, input_what)) {
        return false;
      }
    }
    op.attrs.resize(num_attrs);
    for (uint32_t slot = 0; slot < num_attrs; ++slot) {
      if (!parse_attribute(
              what,
              op.schema->attrs[slot],
              layout_.attrs + size_t(attrs_first + slot) * kAttrRecordSize,
              &op.attrs[slot])) {
        return false;
      }
    }
    op.outputs.resize(num_outputs);
    for (uint32_t slot = 0; slot < num_outputs; ++slot) {
      const uint32_t id = reader_.u32(
          layout_.refs + size_t(outputs_first + slot) * kTensorRefSize);
      const std::string output_what =
          format("%s output %u", what.c_str(), slot);
      op.outputs[slot] = id;
      if (!check_tensor_id(id, output_what) ||
          !check_dtype(op, id, output_what)) {
        return false;
      }
    }
    if (!check_output_shape(op, what) || !check_op_dtypes(op, what)) {
      return false;
    }
    for (uint32_t slot = 0; slot < num_outputs; ++slot) {
      if (!define(op.outputs[slot], TensorSource::OpOutput, what)) {
        return false;
      }
    }
    return true;
  }

  // What the kernels assume about dtypes and quantization, beyond each
  // tensor's dtype being one of the schema's:
  // * an opcode with an integer kernel runs in one dtype, its output's:
  //   float32 (all operands float32) or int8 (every operand quantized int8,
  //   per tensor, except a per-channel weight of a linear-shaped op and the
  //   last optional operand, the bias, which is int32 with zero point 0);
  // * any other op whose dtypes include int8 (quantize, dequantize) converts
  //   its operand from its schema's first dtype to the second, between
  //   float32 and a quantized int8 tensor, the int8 side per tensor unless it
  //   is a constant input (its kernel reads the qparams of that side);
  // * every other op reads and writes one dtype.
  static bool is_transposed(const Op& op) {
    for (uint32_t i = 0; i < op.schema->num_attrs; ++i) {
      if (std::strcmp(op.schema->attrs[i].name, "transposed") == 0) {
        return op.attrs[i].ints[0] != 0;
      }
    }
    return false;
  }

  bool check_op_dtypes(const Op& op, const std::string& what) {
    const OpSchema& schema = *op.schema;
    const TensorInfo& out = graph_.tensors[op.outputs[0]];
    bool takes_int8 = false;
    for (uint32_t i = 0; i < schema.num_dtypes; ++i) {
      takes_int8 = takes_int8 || schema.dtypes[i] == kDtypeInt8;
    }
    if (schema.int8_kernel) {
      const bool int8 = out.dtype == kDtypeInt8;
      if (int8 && out.quant_scheme != QuantScheme::PerTensor) {
        return fail(what + ": an int8 output must be quantized per tensor");
      }
      if (int8 && schema.shape_rule == ShapeRule::Convolution &&
          is_transposed(op)) {
        // Its weight's axis 0 is the input channels (see convolution_int8).
        return fail(
            what + ": a transposed convolution computes in float32, not int8");
      }
      for (uint32_t slot = 0; slot < op.inputs.size(); ++slot) {
        const uint32_t id = op.inputs[slot];
        if (id == kNoTensor) {
          continue;
        }
        const TensorInfo& in = graph_.tensors[id];
        const std::string operand =
            what + " operand " + schema.operands[slot].name;
        const bool bias =
            schema.operands[slot].optional && slot + 1 == schema.num_operands;
        if (!int8) {
          if (in.dtype != out.dtype) {
            return fail(format(
                "%s has dtype %s; the op computes in %s (its output's)",
                operand.c_str(),
                dtype_name(in.dtype),
                dtype_name(out.dtype)));
          }
          continue;
        }
        const uint32_t expected = bias ? kDtypeInt32 : kDtypeInt8;
        if (in.dtype != expected || in.quant_scheme == QuantScheme::None) {
          return fail(format(
              "%s must be a quantized %s tensor for the int8 kernel (it is "
              "%s%s)",
              operand.c_str(),
              dtype_name(expected),
              in.quant_scheme == QuantScheme::None ? "unquantized " : "",
              dtype_name(in.dtype)));
        }
        const bool weight = slot == 1 &&
            (schema.shape_rule == ShapeRule::Linear ||
             schema.shape_rule == ShapeRule::Convolution);
        if (in.quant_scheme == QuantScheme::PerChannel &&
            (!(weight || bias) || in.quant_axis != 0)) {
          return fail(
              operand +
              " is quantized per channel; the int8 kernel takes that only "
              "for a linear or convolution weight or bias, along axis 0");
        }
        if (bias) {
          for (const QuantParam& q : in.qparams) {
            if (q.zero_point != 0) {
              return fail(operand + ": an int32 bias has zero point 0");
            }
          }
        }
      }
      return true;
    }
    if (takes_int8 && schema.num_operands == 1 && schema.num_outputs == 1) {
      const TensorInfo& in = graph_.tensors[op.inputs[0]];
      const uint32_t reads = schema.dtypes[0];
      const uint32_t writes = schema.num_dtypes == 2 ? schema.dtypes[1] : reads;
      if (in.dtype != reads || out.dtype != writes || reads == writes) {
        return fail(format(
            "%s converts %s to %s; it converts %s to %s",
            what.c_str(),
            dtype_name(in.dtype),
            dtype_name(out.dtype),
            dtype_name(reads),
            dtype_name(writes)));
      }
      const bool quantize = out.dtype == kDtypeInt8;
      const TensorInfo& q = quantize ? out : in;
      if (q.quant_scheme == QuantScheme::None ||
          (q.quant_scheme == QuantScheme::PerChannel &&
           (quantize || q.source != TensorSource::Constant))) {
        return fail(
            what +
            ": its int8 tensor must be quantized, per tensor unless it is a "
            "constant input");
      }
      return true;
    }
    for (const uint32_t id : op.inputs) {
      if (id != kNoTensor && graph_.tensors[id].dtype != out.dtype) {
        return fail(what + ": its operands and output must have one dtype");
      }
    }
    return true;
  }

  bool parse_ops() {
    graph_.ops.resize(header_.num_ops);
    for (uint32_t i = 0; i < header_.num_ops; ++i) {
      if (!parse_op(i, graph_.ops[i])) {
        return false;
      }
    }
    return true;
  }

  const Shape& shape_of(uint32_t id) const {
    return graph_.tensors[id].shape;
  }

  // The outputs' shapes must follow from the operands by the op's shape
  // rule: output 0's, and every output's for an op of several outputs
  // (split), whose sizes the attributes fix.
  bool check_output_shape(const Op& op, const std::string& what) {
    const uint32_t checked = computed_outputs(op);
    for (uint32_t i = 0; i < checked; ++i) {
      Shape expected;
      ShapeError error;
      if (!ShapeRules(graph_.tensors, &error).output_shape(op, &expected, i)) {
        return fail(what + ": " + error.message);
      }
      const Shape& out = shape_of(op.outputs[i]);
      if (out != expected) {
        return fail(format(
            "%s: output tensor %u has shape %s, expected %s",
            what.c_str(),
            op.outputs[i],
            shape_string(out).c_str(),
            shape_string(expected).c_str()));
      }
    }
    return true;
  }

  bool parse_outputs() {
    graph_.output_ids.resize(header_.num_outputs);
    for (uint32_t i = 0; i < header_.num_outputs; ++i) {
      const uint32_t id = reader_.u32(layout_.outputs + size_t(i) * 4);
      const std::string what = format("delegate output %u", i);
      if (!check_tensor_id(id, what)) {
        return false;
      }
      if (!defined_[id]) {
        return fail(format(
            "%s is tensor %u, which no input, constant or op defines",
            what.c_str(),
            id));
      }
      graph_.output_ids[i] = id;
    }
    return true;
  }

  bool check_every_tensor_defined() {
    for (uint32_t id = 0; id < header_.num_tensors; ++id) {
      if (!defined_[id]) {
        return fail(format(
            "tensor %u is neither a delegate input, a constant nor an op "
            "output",
            id));
      }
    }
    return true;
  }

  ByteReader reader_;
  size_t size_;
  Header header_{};
  Layout layout_{};
  Graph graph_;
  std::vector<bool> defined_;
  std::string error_;
};

} // namespace

uint32_t computed_outputs(const Op& op) {
  return op.schema->variadic_outputs ? uint32_t(op.outputs.size()) : 1;
}

bool infer_output_shape(
    const Op& op,
    const std::vector<TensorInfo>& tensors,
    Shape* out,
    ShapeError* error,
    uint32_t index) {
  return ShapeRules(tensors, error).output_shape(op, out, index);
}

Result<Graph>
parse_graph(const void* data, size_t size, std::string* error_message) {
  std::string error;
  if (data == nullptr && size != 0) {
    error = "blob pointer is null";
  } else {
    static const uint8_t kEmpty[1] = {0};
    const auto* bytes =
        data == nullptr ? kEmpty : static_cast<const uint8_t*>(data);
    Parser parser(bytes, size);
    if (parser.parse()) {
      return std::move(parser.graph());
    }
    error = std::move(parser.error());
  }
  if (error_message != nullptr) {
    // The caller reports it (with context such as the method name).
    *error_message = std::move(error);
  } else {
    ET_LOG(Error, "invalid {{ cookiecutter.__backend_id }} blob: %s", error.c_str());
  }
  return Error::InvalidProgram;
}

} // namespace {{ cookiecutter.__cpp_namespace }}
