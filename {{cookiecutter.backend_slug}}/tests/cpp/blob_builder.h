{{ cookiecutter.__cpp_license_header }}

// Writes delegate blobs (serialization/FORMAT.md, version 2) for the C++
// tests, independently of the parser under test, plus helpers to corrupt
// them field by field.
#pragma once

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace blob_test {

using {{ cookiecutter.__cpp_namespace }}::AttrType;
using {{ cookiecutter.__cpp_namespace }}::kMaxOpCode;
using {{ cookiecutter.__cpp_namespace }}::kNoTensor;
using {{ cookiecutter.__cpp_namespace }}::OpCode;

// One attribute as the blob stores it.
struct AttrValue {
  AttrType type;
  std::vector<int64_t> ints;
  std::vector<double> floats;
};
inline AttrValue float_attr(double value) {
  return {AttrType::Float, {}, {value}};
}
inline AttrValue int_attr(int64_t value) {
  return {AttrType::Int, {value}, {}};
}
inline AttrValue bool_attr(bool value) {
  return {AttrType::Bool, {value ? 1 : 0}, {}};
}
inline AttrValue ints_attr(std::vector<int64_t> values) {
  return {AttrType::IntList, std::move(values), {}};
}
inline AttrValue floats_attr(std::vector<double> values) {
  return {AttrType::FloatList, {}, std::move(values)};
}

// Header field offsets.
constexpr size_t kNumTensorsField = 12;
constexpr size_t kNumOpsField = 16;
constexpr size_t kNumAttrsField = 20;
constexpr size_t kNumRefsField = 24;
constexpr size_t kNumValuesField = 28;
constexpr size_t kNumQParamsField = 32;
constexpr size_t kNumInputsField = 36;
constexpr size_t kNumOutputsField = 40;
constexpr size_t kNumConstantsField = 44;
constexpr size_t kStringTableSizeField = 48;
constexpr size_t kFlagsField = 52;
constexpr size_t kTotalSizeField = 56;

class BlobBuilder {
 public:
  uint32_t tensor(std::vector<uint32_t> sizes, uint32_t dtype = 6) {
    TensorRecord record;
    record.dtype = dtype;
    record.sizes = std::move(sizes);
    tensors_.push_back(std::move(record));
    return static_cast<uint32_t>(tensors_.size() - 1);
  }
  uint32_t input(std::vector<uint32_t> sizes, uint32_t dtype = 6) {
    const uint32_t id = tensor(std::move(sizes), dtype);
    inputs_.push_back(id);
    return id;
  }
  // A constant whose named data is stored under key.
  uint32_t constant(
      std::vector<uint32_t> sizes,
      const std::string& key,
      uint32_t dtype = 6) {
    const uint32_t id = tensor(sizes, dtype);
    uint64_t numel = 1;
    for (uint32_t size : sizes) {
      numel *= size;
    }
    const uint64_t item = dtype == 6 || dtype == 3 ? 4 : dtype == 4 ? 8 : 1;
    constants_.push_back(ConstantRecord{id, key, numel * item});
    return id;
  }
  // Marks dimensions of tensor id as upper bounds (bit d: sizes[d]).
  void dynamic_dims(uint32_t id, uint32_t bits) {
    tensors_[id].dynamic_dims = bits;
  }
  // Quantization of tensor id: per tensor when axis < 0.
  void quantize(
      uint32_t id,
      std::vector<float> scales,
      std::vector<int32_t> zero_points,
      int axis = -1) {
    TensorRecord& record = tensors_[id];
    record.scheme = axis < 0 ? 1 : 2;
    record.axis = axis < 0 ? 0 : static_cast<uint32_t>(axis);
    record.qparams_first = static_cast<uint32_t>(qparams_.size());
    record.qparams_count = static_cast<uint32_t>(scales.size());
    for (size_t i = 0; i < scales.size(); ++i) {
      qparams_.push_back({scales[i], zero_points[i]});
    }
  }
  // Appends an op writing a new tensor of out_sizes; returns that tensor.
  // inputs may hold kNoTensor for an absent optional operand.
  uint32_t op(
      OpCode opcode,
      std::vector<uint32_t> inputs,
      std::vector<uint32_t> out_sizes,
      std::vector<AttrValue> attrs = {},
      const std::string& name = "") {
    const uint32_t out = tensor(std::move(out_sizes));
    ops_.push_back(OpRecord{
        static_cast<uint32_t>(opcode),
        std::move(inputs),
        {out},
        std::move(attrs),
        name});
    return out;
  }
  // Appends an op writing one new tensor per entry of out_sizes (split);
  // returns those tensors.
  std::vector<uint32_t> op_outputs(
      OpCode opcode,
      std::vector<uint32_t> inputs,
      const std::vector<std::vector<uint32_t>>& out_sizes,
      std::vector<AttrValue> attrs = {}) {
    std::vector<uint32_t> outs;
    for (const std::vector<uint32_t>& sizes : out_sizes) {
      outs.push_back(tensor(sizes));
    }
    ops_.push_back(OpRecord{
        static_cast<uint32_t>(opcode),
        std::move(inputs),
        outs,
        std::move(attrs),
        ""});
    return outs;
  }
  void output(uint32_t id) {
    outputs_.push_back(id);
  }

  std::vector<uint8_t> build() const {
    std::string strings;
    std::vector<uint8_t> tensors, ops, attrs, refs, values, qparams, ids,
        constants;
    for (const TensorRecord& t : tensors_) {
      put(tensors, t.dtype);
      put(tensors, static_cast<uint32_t>(t.sizes.size()));
      for (size_t d = 0; d < 8; ++d) {
        put(tensors, d < t.sizes.size() ? t.sizes[d] : 0u);
      }
      put(tensors, t.dynamic_dims);
      put(tensors, t.scheme);
      put(tensors, t.axis);
      put(tensors, t.qparams_first);
      put(tensors, t.qparams_count);
      put(tensors, 0u); // reserved
    }
    uint32_t num_refs = 0;
    uint32_t num_attrs = 0;
    uint32_t num_values = 0;
    for (const OpRecord& op : ops_) {
      put(ops, op.opcode);
      put(ops, num_refs);
      put(ops, static_cast<uint32_t>(op.inputs.size()));
      for (uint32_t id : op.inputs) {
        put(refs, id);
      }
      num_refs += static_cast<uint32_t>(op.inputs.size());
      put(ops, num_refs);
      put(ops, static_cast<uint32_t>(op.outputs.size()));
      for (uint32_t id : op.outputs) {
        put(refs, id);
      }
      num_refs += static_cast<uint32_t>(op.outputs.size());
      put(ops, num_attrs);
      put(ops, static_cast<uint32_t>(op.attrs.size()));
      for (const AttrValue& attr : op.attrs) {
        const bool floats =
            attr.type == AttrType::Float || attr.type == AttrType::FloatList;
        const size_t count = floats ? attr.floats.size() : attr.ints.size();
        put(attrs, static_cast<uint32_t>(attr.type));
        put(attrs, static_cast<uint32_t>(count));
        put(attrs, num_values);
        put(attrs, 0u);
        for (size_t i = 0; i < count; ++i) {
          uint64_t bits;
          if (floats) {
            std::memcpy(&bits, &attr.floats[i], sizeof(bits));
          } else {
            std::memcpy(&bits, &attr.ints[i], sizeof(bits));
          }
          put64(values, bits);
        }
        num_values += static_cast<uint32_t>(count);
      }
      num_attrs += static_cast<uint32_t>(op.attrs.size());
      put(ops, static_cast<uint32_t>(strings.size()));
      put(ops, static_cast<uint32_t>(op.name.size()));
      put(ops, 0u);
      strings += op.name;
    }
    for (const QParam& q : qparams_) {
      uint32_t bits;
      std::memcpy(&bits, &q.scale, sizeof(bits));
      put(qparams, bits);
      put(qparams, static_cast<uint32_t>(q.zero_point));
    }
    for (uint32_t id : inputs_) {
      put(ids, id);
    }
    for (uint32_t id : outputs_) {
      put(ids, id);
    }
    for (const ConstantRecord& c : constants_) {
      put(constants, c.tensor_id);
      put(constants, static_cast<uint32_t>(strings.size()));
      put(constants, static_cast<uint32_t>(c.key.size()));
      put(constants, 0u);
      put64(constants, c.nbytes);
      strings += c.key;
    }
    std::vector<uint8_t> blob = {'E', 'T', 'R', 'B'};
    put(blob, 2u); // format_version
    put(blob, 64u); // header_size
    put(blob, static_cast<uint32_t>(tensors_.size()));
    put(blob, static_cast<uint32_t>(ops_.size()));
    put(blob, num_attrs);
    put(blob, num_refs);
    put(blob, num_values);
    put(blob, static_cast<uint32_t>(qparams_.size()));
    put(blob, static_cast<uint32_t>(inputs_.size()));
    put(blob, static_cast<uint32_t>(outputs_.size()));
    put(blob, static_cast<uint32_t>(constants_.size()));
    put(blob, static_cast<uint32_t>(strings.size()));
    put(blob, 0u); // flags
    const uint64_t total = 64 + tensors.size() + ops.size() + attrs.size() +
        refs.size() + values.size() + qparams.size() + ids.size() +
        constants.size() + strings.size();
    put64(blob, total);
    for (const auto* section :
         {&tensors, &ops, &attrs, &refs, &values, &qparams, &ids, &constants}) {
      blob.insert(blob.end(), section->begin(), section->end());
    }
    blob.insert(blob.end(), strings.begin(), strings.end());
    return blob;
  }

 private:
  struct TensorRecord {
    uint32_t dtype = 6;
    std::vector<uint32_t> sizes;
    uint32_t dynamic_dims = 0;
    uint32_t scheme = 0;
    uint32_t axis = 0;
    uint32_t qparams_first = 0;
    uint32_t qparams_count = 0;
  };
  struct OpRecord {
    uint32_t opcode;
    std::vector<uint32_t> inputs;
    std::vector<uint32_t> outputs;
    std::vector<AttrValue> attrs;
    std::string name;
  };
  struct QParam {
    float scale;
    int32_t zero_point;
  };
  struct ConstantRecord {
    uint32_t tensor_id;
    std::string key;
    uint64_t nbytes;
  };

  static void put(std::vector<uint8_t>& out, uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) {
      out.push_back(static_cast<uint8_t>(value >> shift));
    }
  }
  static void put64(std::vector<uint8_t>& out, uint64_t value) {
    put(out, static_cast<uint32_t>(value));
    put(out, static_cast<uint32_t>(value >> 32));
  }

  std::vector<TensorRecord> tensors_;
  std::vector<OpRecord> ops_;
  std::vector<QParam> qparams_;
  std::vector<uint32_t> inputs_;
  std::vector<uint32_t> outputs_;
  std::vector<ConstantRecord> constants_;
};

inline uint32_t get_u32(const std::vector<uint8_t>& blob, size_t offset) {
  return uint32_t(blob[offset]) | uint32_t(blob[offset + 1]) << 8 |
      uint32_t(blob[offset + 2]) << 16 | uint32_t(blob[offset + 3]) << 24;
}

inline void set_u32(std::vector<uint8_t>& blob, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    blob[offset + i] = static_cast<uint8_t>(value >> (8 * i));
  }
}

inline void set_u64(std::vector<uint8_t>& blob, size_t offset, uint64_t value) {
  set_u32(blob, offset, static_cast<uint32_t>(value));
  set_u32(blob, offset + 4, static_cast<uint32_t>(value >> 32));
}

inline void set_f64(std::vector<uint8_t>& blob, size_t offset, double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  set_u64(blob, offset, bits);
}

// Byte offsets of sections and records inside a built blob, from its header.
inline size_t tensor_offset(
    const std::vector<uint8_t>& /*blob*/,
    uint32_t index) {
  return 64 + 64 * size_t(index);
}
inline size_t op_offset(const std::vector<uint8_t>& blob, uint32_t index) {
  return tensor_offset(blob, get_u32(blob, kNumTensorsField)) +
      40 * size_t(index);
}
inline size_t attr_offset(const std::vector<uint8_t>& blob, uint32_t index) {
  return op_offset(blob, get_u32(blob, kNumOpsField)) + 16 * size_t(index);
}
inline size_t refs_offset(const std::vector<uint8_t>& blob) {
  return attr_offset(blob, get_u32(blob, kNumAttrsField));
}
inline size_t values_offset(const std::vector<uint8_t>& blob) {
  return refs_offset(blob) + 4 * size_t(get_u32(blob, kNumRefsField));
}
inline size_t qparams_offset(const std::vector<uint8_t>& blob) {
  return values_offset(blob) + 8 * size_t(get_u32(blob, kNumValuesField));
}
inline size_t inputs_offset(const std::vector<uint8_t>& blob) {
  return qparams_offset(blob) + 8 * size_t(get_u32(blob, kNumQParamsField));
}
inline size_t outputs_offset(const std::vector<uint8_t>& blob) {
  return inputs_offset(blob) + 4 * size_t(get_u32(blob, kNumInputsField));
}
inline size_t constants_offset(const std::vector<uint8_t>& blob) {
  return outputs_offset(blob) + 4 * size_t(get_u32(blob, kNumOutputsField));
}
// The tensor ref holding input `slot` / output `slot` of op `index`.
inline size_t op_input_ref_offset(
    const std::vector<uint8_t>& blob,
    uint32_t index,
    uint32_t slot) {
  return refs_offset(blob) +
      4 * size_t(get_u32(blob, op_offset(blob, index) + 4) + slot);
}
inline size_t op_output_ref_offset(
    const std::vector<uint8_t>& blob,
    uint32_t index,
    uint32_t slot) {
  return refs_offset(blob) +
      4 * size_t(get_u32(blob, op_offset(blob, index) + 12) + slot);
}

// y = sigmoid(linear(relu(x + b), w, bias)) with x [2, 3] and b [3]; the
// shape of a typical delegate, used by several tests.
inline BlobBuilder small_mlp_builder() {
  BlobBuilder builder;
  const uint32_t x = builder.input({2, 3});
  const uint32_t b = builder.input({3});
  const uint32_t w = builder.constant({4, 3}, "weight");
  const uint32_t bias = builder.constant({4}, "bias");
  const uint32_t sum =
      builder.op(OpCode::Add, {x, b}, {2, 3}, {float_attr(1.0)}, "add");
  const uint32_t act = builder.op(OpCode::Relu, {sum}, {2, 3}, {}, "relu");
  const uint32_t fc =
      builder.op(OpCode::Linear, {act, w, bias}, {2, 4}, {}, "fc");
  builder.output(builder.op(OpCode::Sigmoid, {fc}, {2, 4}, {}, "sigmoid"));
  return builder;
}

} // namespace blob_test
