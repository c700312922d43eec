// The delegate blob (serialization/FORMAT.md, version 1) parsed into plain
// structs, and the validator that guarantees everything the kernels rely on.
//
// parse_graph() reads untrusted bytes: it checks every size, count, offset
// and index before using it, so a malformed blob yields an error message and
// never undefined behaviour. It depends on nothing but the C++17 standard
// library, which lets tests/cpp fuzz it under ASan and UBSan.
#pragma once

#include "{{ cookiecutter.class_prefix }}Shape.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

inline constexpr char kBlobMagic[4] = {'E', 'T', 'R', 'B'};
inline constexpr uint32_t kFormatVersion = 1;

inline constexpr size_t kHeaderSize = 48;
inline constexpr size_t kTensorRecordSize = 40;
inline constexpr size_t kOpRecordSize = 40;
inline constexpr size_t kTensorIdSize = 4;
inline constexpr size_t kConstantRecordSize = 24;

// Marks an unused op input slot.
inline constexpr uint32_t kNoTensor = 0xFFFFFFFF;
// ExecuTorch ScalarType::Float, the only dtype version 1 allows.
inline constexpr uint32_t kDtypeFloat32 = 6;
inline constexpr uint32_t kMaxOpInputs = 3;

enum class OpCode : uint32_t {
  Add = 1,
  Sub = 2,
  Mul = 3,
  Div = 4,
  Relu = 5,
  Sigmoid = 6,
  Tanh = 7,
  Clamp = 8,
  Linear = 9,
  Mm = 10,
  Bmm = 11,
};

// "add", "linear", ...; "unknown" for a value outside the enum.
const char* opcode_name(OpCode opcode);

// Where a tensor's data comes from; fixed by the blob.
enum class TensorSource : uint8_t {
  Input, // a delegate input, bound on every execute
  Constant, // named data, fetched once at init
  OpOutput, // written by exactly one op, stored in the delegate's arena
};

struct TensorInfo {
  uint32_t dtype = kDtypeFloat32;
  Shape shape;
  size_t numel = 0;
  size_t nbytes = 0;
  TensorSource source = TensorSource::OpOutput;
};

struct Op {
  OpCode opcode = OpCode::Add;
  uint32_t num_inputs = 0;
  uint32_t inputs[kMaxOpInputs] = {kNoTensor, kNoTensor, kNoTensor};
  uint32_t output = kNoTensor;
  // add/sub: params[0] is alpha; clamp: params are min and max.
  float params[2] = {0.0f, 0.0f};
  // Empty when the blob was written without names.
  std::string name;
};

struct ConstantRef {
  uint32_t tensor_id = 0;
  std::string key; // NamedDataMap key
  uint64_t nbytes = 0;
};

struct Graph {
  std::vector<TensorInfo> tensors;
  std::vector<Op> ops; // in execution order
  std::vector<uint32_t> input_ids;
  std::vector<uint32_t> output_ids;
  std::vector<ConstantRef> constants;
};

struct ParseError {
  std::string message;
};

// The graph, or why the blob was refused. Owns copies of all strings, so the
// blob may be freed as soon as this returns.
using ParseResult = std::variant<Graph, ParseError>;

ParseResult parse_graph(const void* data, size_t size);

} // namespace {{ cookiecutter.__cpp_namespace }}
