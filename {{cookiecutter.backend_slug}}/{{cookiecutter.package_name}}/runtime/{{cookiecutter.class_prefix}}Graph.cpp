#include "{{ cookiecutter.class_prefix }}Graph.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace {{ cookiecutter.__cpp_namespace }} {

const char* opcode_name(OpCode opcode) {
  switch (opcode) {
    case OpCode::Add:
      return "add";
    case OpCode::Sub:
      return "sub";
    case OpCode::Mul:
      return "mul";
    case OpCode::Div:
      return "div";
    case OpCode::Relu:
      return "relu";
    case OpCode::Sigmoid:
      return "sigmoid";
    case OpCode::Tanh:
      return "tanh";
    case OpCode::Clamp:
      return "clamp";
    case OpCode::Linear:
      return "linear";
    case OpCode::Mm:
      return "mm";
    case OpCode::Bmm:
      return "bmm";
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
  float f32(size_t offset) const {
    const uint32_t bits = u32(offset);
    float value;
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
  uint64_t inputs;
  uint64_t outputs;
  uint64_t constants;
  uint64_t strings;
  uint64_t end;
};

// Each count is a u32 and each record at most 40 bytes, so every term is
// below 2^38 and the sum cannot overflow 64 bits.
Layout layout_of(const Header& h) {
  Layout l;
  l.tensors = kHeaderSize;
  l.ops = l.tensors + uint64_t(h.num_tensors) * kTensorRecordSize;
  l.inputs = l.ops + uint64_t(h.num_ops) * kOpRecordSize;
  l.outputs = l.inputs + uint64_t(h.num_inputs) * kTensorIdSize;
  l.constants = l.outputs + uint64_t(h.num_outputs) * kTensorIdSize;
  l.strings = l.constants + uint64_t(h.num_constants) * kConstantRecordSize;
  l.end = l.strings + h.string_table_size;
  return l;
}

uint32_t expected_input_count(OpCode opcode) {
  switch (opcode) {
    case OpCode::Relu:
    case OpCode::Sigmoid:
    case OpCode::Tanh:
    case OpCode::Clamp:
      return 1;
    default:
      return 2; // linear also accepts 3 (with bias); checked separately
  }
}

bool is_known_opcode(uint32_t value) {
  return value >= uint32_t(OpCode::Add) && value <= uint32_t(OpCode::Bmm);
}

class Parser {
 public:
  Parser(const uint8_t* data, size_t size) : reader_(data), size_(size) {}

  ParseResult parse() {
    if (!parse_header() || !parse_tensors() || !parse_inputs() ||
        !parse_constants() || !parse_ops() || !parse_outputs() ||
        !check_every_tensor_defined()) {
      return ParseError{std::move(error_)};
    }
    return std::move(graph_);
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool parse_header() {
    if (size_ < kHeaderSize) {
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
    header_.version = reader_.u32(4);
    if (header_.version != kFormatVersion) {
      return fail(format(
          "blob format version %u is not supported; this runtime reads "
          "version %u (re-export the model with a matching package)",
          header_.version,
          kFormatVersion));
    }
    header_.header_size = reader_.u32(8);
    header_.num_tensors = reader_.u32(12);
    header_.num_ops = reader_.u32(16);
    header_.num_inputs = reader_.u32(20);
    header_.num_outputs = reader_.u32(24);
    header_.num_constants = reader_.u32(28);
    header_.string_table_size = reader_.u32(32);
    header_.flags = reader_.u32(36);
    header_.total_size = reader_.u64(40);
    if (header_.header_size != kHeaderSize) {
      return fail(format(
          "header_size is %u, expected %zu",
          header_.header_size,
          kHeaderSize));
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

  bool parse_tensors() {
    graph_.tensors.resize(header_.num_tensors);
    defined_.assign(header_.num_tensors, false);
    for (uint32_t i = 0; i < header_.num_tensors; ++i) {
      const size_t base = layout_.tensors + size_t(i) * kTensorRecordSize;
      TensorInfo& tensor = graph_.tensors[i];
      tensor.dtype = reader_.u32(base);
      if (tensor.dtype != kDtypeFloat32) {
        return fail(format(
            "tensor %u has dtype %u; format version %u allows only %u "
            "(float32)",
            i,
            tensor.dtype,
            kFormatVersion,
            kDtypeFloat32));
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
      const auto nbytes =
          numel ? checked_mul(*numel, sizeof(float)) : std::nullopt;
      if (!nbytes) {
        return fail(format(
            "tensor %u of shape %s is too large to address",
            i,
            shape_string(tensor.shape).c_str()));
      }
      tensor.numel = *numel;
      tensor.nbytes = *nbytes;
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

  // A tensor is exactly one of: a delegate input, a constant, or the output
  // of one op.
  bool define(uint32_t id, TensorSource source, const std::string& what) {
    if (defined_[id]) {
      return fail(format(
          "%s defines tensor %u, which is already defined",
          what.c_str(),
          id));
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
      if (constant.nbytes != tensor.nbytes) {
        return fail(format(
            "%s declares %llu bytes but tensor %u of shape %s needs %zu",
            what.c_str(),
            static_cast<unsigned long long>(constant.nbytes),
            constant.tensor_id,
            shape_string(tensor.shape).c_str(),
            tensor.nbytes));
      }
    }
    return true;
  }

  static std::string describe(uint32_t index, const Op& op) {
    std::string text = format("op %u (%s", index, opcode_name(op.opcode));
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

  bool parse_ops() {
    graph_.ops.resize(header_.num_ops);
    for (uint32_t i = 0; i < header_.num_ops; ++i) {
      const size_t base = layout_.ops + size_t(i) * kOpRecordSize;
      Op& op = graph_.ops[i];
      const uint32_t opcode = reader_.u32(base);
      if (!is_known_opcode(opcode)) {
        return fail(format("op %u has unknown opcode %u", i, opcode));
      }
      op.opcode = static_cast<OpCode>(opcode);
      if (!read_string(
              reader_.u32(base + 32),
              reader_.u32(base + 36),
              format("op %u name", i),
              &op.name)) {
        return false;
      }
      const std::string what = describe(i, op);
      op.num_inputs = reader_.u32(base + 4);
      const uint32_t expected = expected_input_count(op.opcode);
      const bool linear_with_bias =
          op.opcode == OpCode::Linear && op.num_inputs == 3;
      if (op.num_inputs != expected && !linear_with_bias) {
        const std::string allowed = op.opcode == OpCode::Linear
            ? "2 or 3"
            : std::to_string(expected);
        return fail(format(
            "%s has %u inputs, expected %s",
            what.c_str(),
            op.num_inputs,
            allowed.c_str()));
      }
      for (uint32_t slot = 0; slot < kMaxOpInputs; ++slot) {
        const uint32_t id = reader_.u32(base + 8 + 4 * slot);
        op.inputs[slot] = id;
        if (slot >= op.num_inputs) {
          if (id != kNoTensor) {
            return fail(format(
                "%s has unused input slot %u holding %u instead of "
                "0xFFFFFFFF",
                what.c_str(),
                slot,
                id));
          }
          continue;
        }
        const std::string input_what = format("%s input %u", what.c_str(), slot);
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
      }
      op.output = reader_.u32(base + 20);
      op.params[0] = reader_.f32(base + 24);
      op.params[1] = reader_.f32(base + 28);
      if (!check_tensor_id(op.output, what + " output") ||
          !check_output_shape(op, what) ||
          !define(op.output, TensorSource::OpOutput, what)) {
        return false;
      }
    }
    return true;
  }

  const Shape& shape_of(uint32_t id) const {
    return graph_.tensors[id].shape;
  }

  bool check_output_shape(const Op& op, const std::string& what) {
    const Shape& out = shape_of(op.output);
    Shape expected;
    switch (op.opcode) {
      case OpCode::Add:
      case OpCode::Sub:
      case OpCode::Mul:
      case OpCode::Div: {
        const Shape& a = shape_of(op.inputs[0]);
        const Shape& b = shape_of(op.inputs[1]);
        const auto broadcast = broadcast_shapes(a, b);
        if (!broadcast) {
          return fail(format(
              "%s: input shapes %s and %s do not broadcast",
              what.c_str(),
              shape_string(a).c_str(),
              shape_string(b).c_str()));
        }
        expected = *broadcast;
        break;
      }
      case OpCode::Relu:
      case OpCode::Sigmoid:
      case OpCode::Tanh:
      case OpCode::Clamp:
        expected = shape_of(op.inputs[0]);
        break;
      case OpCode::Linear: {
        const Shape& x = shape_of(op.inputs[0]);
        const Shape& w = shape_of(op.inputs[1]);
        if (x.rank < 1 || w.rank != 2 || x.dim(x.rank - 1) != w.dim(1)) {
          return fail(format(
              "%s: input %s and weight %s do not match; weight must be "
              "[out_features, in_features] with in_features equal to the "
              "input's last dimension",
              what.c_str(),
              shape_string(x).c_str(),
              shape_string(w).c_str()));
        }
        if (op.num_inputs == 3) {
          const Shape& bias = shape_of(op.inputs[2]);
          if (bias.rank != 1 || bias.dim(0) != w.dim(0)) {
            return fail(format(
                "%s: bias %s must be [%u] to match weight %s",
                what.c_str(),
                shape_string(bias).c_str(),
                w.dim(0),
                shape_string(w).c_str()));
          }
        }
        expected = x;
        expected.sizes[x.rank - 1] = w.dim(0);
        break;
      }
      case OpCode::Mm: {
        const Shape& a = shape_of(op.inputs[0]);
        const Shape& b = shape_of(op.inputs[1]);
        if (a.rank != 2 || b.rank != 2 || a.dim(1) != b.dim(0)) {
          return fail(format(
              "%s: shapes %s and %s are not [n, k] and [k, m]",
              what.c_str(),
              shape_string(a).c_str(),
              shape_string(b).c_str()));
        }
        expected.rank = 2;
        expected.sizes[0] = a.dim(0);
        expected.sizes[1] = b.dim(1);
        break;
      }
      case OpCode::Bmm: {
        const Shape& a = shape_of(op.inputs[0]);
        const Shape& b = shape_of(op.inputs[1]);
        if (a.rank != 3 || b.rank != 3 || a.dim(0) != b.dim(0) ||
            a.dim(2) != b.dim(1)) {
          return fail(format(
              "%s: shapes %s and %s are not [b, n, k] and [b, k, m]",
              what.c_str(),
              shape_string(a).c_str(),
              shape_string(b).c_str()));
        }
        expected.rank = 3;
        expected.sizes[0] = a.dim(0);
        expected.sizes[1] = a.dim(1);
        expected.sizes[2] = b.dim(2);
        break;
      }
    }
    if (out != expected) {
      return fail(format(
          "%s: output tensor %u has shape %s, expected %s",
          what.c_str(),
          op.output,
          shape_string(out).c_str(),
          shape_string(expected).c_str()));
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

ParseResult parse_graph(const void* data, size_t size) {
  if (data == nullptr && size != 0) {
    return ParseError{"blob pointer is null"};
  }
  static const uint8_t kEmpty[1] = {0};
  const auto* bytes =
      data == nullptr ? kEmpty : static_cast<const uint8_t*>(data);
  return Parser(bytes, size).parse();
}

} // namespace {{ cookiecutter.__cpp_namespace }}
