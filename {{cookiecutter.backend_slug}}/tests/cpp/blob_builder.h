// Writes delegate blobs (serialization/FORMAT.md, version 1) for the C++
// tests, independently of the parser under test, plus helpers to corrupt
// them field by field.
#pragma once

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace blob_test {

using {{ cookiecutter.__cpp_namespace }}::OpCode;

class BlobBuilder {
 public:
  uint32_t tensor(std::vector<uint32_t> sizes, uint32_t dtype = 6) {
    tensors_.push_back(TensorRecord{dtype, std::move(sizes)});
    return static_cast<uint32_t>(tensors_.size() - 1);
  }
  uint32_t input(std::vector<uint32_t> sizes) {
    const uint32_t id = tensor(std::move(sizes));
    inputs_.push_back(id);
    return id;
  }
  // A constant whose named data is stored under key.
  uint32_t constant(std::vector<uint32_t> sizes, const std::string& key) {
    const uint32_t id = tensor(sizes);
    uint64_t numel = 1;
    for (uint32_t size : sizes) {
      numel *= size;
    }
    constants_.push_back(ConstantRecord{id, key, numel * 4});
    return id;
  }
  // Appends an op writing a new tensor of out_sizes; returns that tensor.
  uint32_t op(
      OpCode opcode,
      std::vector<uint32_t> inputs,
      std::vector<uint32_t> out_sizes,
      float param0 = 0.0f,
      float param1 = 0.0f,
      const std::string& name = "") {
    const uint32_t out = tensor(std::move(out_sizes));
    ops_.push_back(OpRecord{static_cast<uint32_t>(opcode), std::move(inputs), out, param0, param1, name});
    return out;
  }
  void output(uint32_t id) {
    outputs_.push_back(id);
  }

  std::vector<uint8_t> build() const {
    std::string strings;
    std::vector<uint8_t> body;
    for (const TensorRecord& t : tensors_) {
      put(body, t.dtype);
      put(body, static_cast<uint32_t>(t.sizes.size()));
      for (size_t d = 0; d < 8; ++d) {
        put(body, d < t.sizes.size() ? t.sizes[d] : 0u);
      }
    }
    for (const OpRecord& op : ops_) {
      put(body, op.opcode);
      put(body, static_cast<uint32_t>(op.inputs.size()));
      for (size_t slot = 0; slot < 3; ++slot) {
        put(body, slot < op.inputs.size() ? op.inputs[slot] : 0xFFFFFFFFu);
      }
      put(body, op.output);
      put_float(body, op.param0);
      put_float(body, op.param1);
      put(body, static_cast<uint32_t>(strings.size()));
      put(body, static_cast<uint32_t>(op.name.size()));
      strings += op.name;
    }
    for (uint32_t id : inputs_) {
      put(body, id);
    }
    for (uint32_t id : outputs_) {
      put(body, id);
    }
    for (const ConstantRecord& c : constants_) {
      put(body, c.tensor_id);
      put(body, static_cast<uint32_t>(strings.size()));
      put(body, static_cast<uint32_t>(c.key.size()));
      put(body, 0u);
      put(body, static_cast<uint32_t>(c.nbytes));
      put(body, static_cast<uint32_t>(c.nbytes >> 32));
      strings += c.key;
    }
    std::vector<uint8_t> blob = {'E', 'T', 'R', 'B'};
    put(blob, 1u); // format_version
    put(blob, 48u); // header_size
    put(blob, static_cast<uint32_t>(tensors_.size()));
    put(blob, static_cast<uint32_t>(ops_.size()));
    put(blob, static_cast<uint32_t>(inputs_.size()));
    put(blob, static_cast<uint32_t>(outputs_.size()));
    put(blob, static_cast<uint32_t>(constants_.size()));
    put(blob, static_cast<uint32_t>(strings.size()));
    put(blob, 0u); // flags
    const uint64_t total = 48 + body.size() + strings.size();
    put(blob, static_cast<uint32_t>(total));
    put(blob, static_cast<uint32_t>(total >> 32));
    blob.insert(blob.end(), body.begin(), body.end());
    blob.insert(blob.end(), strings.begin(), strings.end());
    return blob;
  }

 private:
  struct TensorRecord {
    uint32_t dtype;
    std::vector<uint32_t> sizes;
  };
  struct OpRecord {
    uint32_t opcode;
    std::vector<uint32_t> inputs;
    uint32_t output;
    float param0;
    float param1;
    std::string name;
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
  static void put_float(std::vector<uint8_t>& out, float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    put(out, bits);
  }

  std::vector<TensorRecord> tensors_;
  std::vector<OpRecord> ops_;
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

// Byte offsets of records inside a built blob, from its header.
inline size_t tensor_offset(const std::vector<uint8_t>& /*blob*/, uint32_t index) {
  return 48 + 40 * size_t(index);
}
inline size_t op_offset(const std::vector<uint8_t>& blob, uint32_t index) {
  return 48 + 40 * size_t(get_u32(blob, 12)) + 40 * size_t(index);
}
inline size_t inputs_offset(const std::vector<uint8_t>& blob) {
  return op_offset(blob, get_u32(blob, 16));
}
inline size_t outputs_offset(const std::vector<uint8_t>& blob) {
  return inputs_offset(blob) + 4 * size_t(get_u32(blob, 20));
}
inline size_t constants_offset(const std::vector<uint8_t>& blob) {
  return outputs_offset(blob) + 4 * size_t(get_u32(blob, 24));
}

// y = sigmoid(linear(relu(x + b), w, bias)) with x [2, 3] and b [3]; the
// shape of a typical delegate, used by several tests.
inline BlobBuilder small_mlp_builder() {
  BlobBuilder builder;
  const uint32_t x = builder.input({2, 3});
  const uint32_t b = builder.input({3});
  const uint32_t w = builder.constant({4, 3}, "weight");
  const uint32_t bias = builder.constant({4}, "bias");
  const uint32_t sum = builder.op(OpCode::Add, {x, b}, {2, 3}, 1.0f, 0.0f, "add");
  const uint32_t act = builder.op(OpCode::Relu, {sum}, {2, 3}, 0.0f, 0.0f, "relu");
  const uint32_t fc = builder.op(OpCode::Linear, {act, w, bias}, {2, 4}, 0.0f, 0.0f, "fc");
  builder.output(builder.op(OpCode::Sigmoid, {fc}, {2, 4}, 0.0f, 0.0f, "sigmoid"));
  return builder;
}

} // namespace blob_test
