{{ cookiecutter.__cpp_license_header }}

// The delegate blob (serialization/FORMAT.md, version 2) parsed into plain
// structs, and the validator that guarantees everything the kernels rely on.
//
// parse_graph() reads untrusted bytes: it checks every size, count, offset
// and index before using it, and checks each op against its opcode's schema
// ({{ cookiecutter.class_prefix }}OpSchema.h), so a malformed blob yields an error and never
// undefined behaviour. It is generic: nothing in it names an operator.
#pragma once

#include "{{ cookiecutter.class_prefix }}OpSchema.h"
#include "{{ cookiecutter.class_prefix }}Shape.h"

#include <executorch/runtime/core/result.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

inline constexpr char kBlobMagic[4] = {'E', 'T', 'R', 'B'};
inline constexpr uint32_t kFormatVersion = 2;

inline constexpr size_t kHeaderSize = 64;
inline constexpr size_t kTensorRecordSize = 64;
inline constexpr size_t kOpRecordSize = 40;
inline constexpr size_t kAttrRecordSize = 16;
inline constexpr size_t kTensorRefSize = 4;
inline constexpr size_t kValueSize = 8;
inline constexpr size_t kQParamRecordSize = 8;
inline constexpr size_t kTensorIdSize = 4;
inline constexpr size_t kConstantRecordSize = 24;

// An absent optional operand in an op's inputs.
inline constexpr uint32_t kNoTensor = 0xFFFFFFFF;

// ExecuTorch ScalarType codes of the dtypes a tensor record may hold.
inline constexpr uint32_t kDtypeUInt8 = 0;
inline constexpr uint32_t kDtypeInt8 = 1;
inline constexpr uint32_t kDtypeInt32 = 3;
inline constexpr uint32_t kDtypeInt64 = 4;
inline constexpr uint32_t kDtypeFloat32 = 6;

// Bytes per element of a dtype code; 0 for a code the format does not allow.
size_t element_size(uint32_t dtype);
// "float32", "int8", ...; "unknown" otherwise.
const char* dtype_name(uint32_t dtype);

// Where a tensor's data comes from; fixed by the blob.
enum class TensorSource : uint8_t {
  Input, // a delegate input, bound on every execute
  Constant, // named data, fetched once at init
  OpOutput, // written by exactly one op, stored in the delegate's arena
};

enum class QuantScheme : uint32_t {
  None = 0,
  PerTensor = 1,
  PerChannel = 2,
};

struct QuantParam {
  float scale;
  int32_t zero_point;
};

struct TensorInfo {
  uint32_t dtype = kDtypeFloat32;
  Shape shape;
  size_t numel = 0;
  size_t nbytes = 0;
  // Bit d: shape.sizes[d] is an upper bound, and each call may bring any
  // size up to it; the other dimensions are exactly shape.sizes.
  uint32_t dynamic_dims = 0;
  QuantScheme quant_scheme = QuantScheme::None;
  uint32_t quant_axis = 0;
  // One per tensor, or one per channel along quant_axis.
  std::vector<QuantParam> qparams;
  TensorSource source = TensorSource::OpOutput;
};

// One attribute value: ints holds Int, Bool and IntList values, floats holds
// Float and FloatList values.
struct Attribute {
  AttrType type = AttrType::Int;
  std::vector<int64_t> ints;
  std::vector<double> floats;
};

struct Op {
  const OpSchema* schema = nullptr; // never null in a parsed graph
  OpCode opcode{};
  // In the schema's operand order; kNoTensor for an absent optional operand.
  std::vector<uint32_t> inputs;
  std::vector<uint32_t> outputs;
  // In the schema's attribute order, each of the schema's type.
  std::vector<Attribute> attrs;
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

// Why a shape rule refused the shapes it was given. A fixed-size buffer, so
// that execute() computes shapes without allocating, even when it fails.
struct ShapeError {
  char message[512] = {};
};

// The outputs whose shapes the op's shape rule fixes: every output of a
// variadic_outputs op (split), output 0 of the others.
uint32_t computed_outputs(const Op& op);

// Output `index`'s shape of op by its opcode's shape rule (FORMAT.md), from
// the shapes `tensors` holds for its operands; one function per rule behind
// it. parse_graph() checks every computed output against it on the blob's
// sizes, and the executor computes them with it on the sizes of each call
// when the graph has dynamic dimensions. On refusal returns false and says
// why in error.
bool infer_output_shape(
    const Op& op,
    const std::vector<TensorInfo>& tensors,
    Shape* out,
    ShapeError* error,
    uint32_t index = 0);

// Parses and validates a blob. On refusal the error is InvalidProgram and the
// reason is stored in error_message or, when that is null, logged with
// ET_LOG. The graph owns copies of all strings, so the blob may be freed as
// soon as this returns.
executorch::runtime::Result<Graph> parse_graph(
    const void* data,
    size_t size,
    std::string* error_message = nullptr);

} // namespace {{ cookiecutter.__cpp_namespace }}
