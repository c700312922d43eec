{{ cookiecutter.__cpp_license_header }}

// What the delegate blob records about each opcode: its operands, outputs,
// typed attributes, dtypes and shape rule. The per-opcode facts come from the
// operator-support table (op_support.py) through `python scripts/generate.py`,
// which writes generated/OpSchema.inc; this header gives them their types.
#pragma once

#include <cstddef>
#include <cstdint>

namespace {{ cookiecutter.__cpp_namespace }} {

// Attribute record types; the values are part of the blob format.
enum class AttrType : uint32_t {
  Int = 1, // i64
  Float = 2, // f64
  Bool = 3, // i64 0 or 1
  IntList = 4, // i64 each
  FloatList = 5, // f64 each
};

// How output 0's shape follows from the operands (FORMAT.md, "shape rule").
enum class ShapeRule : uint32_t {
  Same, // operand 0's shape
  Broadcast, // operands 0 and 1 broadcast like PyTorch
  Linear, // [..., in] x [out, in] (+ bias [out]) -> [..., out]
  Mm, // [n, k] x [k, m] -> [n, m]
  Bmm, // [b, n, k] x [b, k, m] -> [b, n, m]
  Convolution, // attributes stride, padding, dilation, transposed, ...
  Pool2d, // attributes kernel_size, stride, padding, [dilation,] ceil_mode
  Reduce, // attributes dim (empty: all), keepdim
  AlongDim, // operand 0's shape; attribute dim is one of its dimensions
  BatchNorm, // input [n, c, ...], every other present operand [c]
  // Shape and layout rules: the output holds operand 0's elements.
  View, // attribute size (one -1 at most), same element count
  Permute, // input dimension dims[d] becomes output dimension d
  Squeeze, // the size-1 dimensions among attribute dims removed
  Unsqueeze, // a size-1 dimension inserted at attribute dim
  Expand, // broadcast to attribute size (-1 keeps a dimension)
  Slice, // attributes dim, start, end (clamped), step
  Select, // attribute dim removed, at attribute index
};

struct OperandSchema {
  const char* name;
  bool optional; // may be absent (kNoTensor in the blob)
};

struct AttrSchema {
  const char* name;
  AttrType type;
};

enum class OpCode : uint32_t;

struct OpSchema {
  OpCode opcode;
  const char* name;
  const OperandSchema* operands;
  uint32_t num_operands;
  uint32_t num_outputs;
  const AttrSchema* attrs;
  uint32_t num_attrs;
  ShapeRule shape_rule;
  const uint32_t* dtypes; // ExecuTorch ScalarType codes
  uint32_t num_dtypes;
};

#include "generated/OpSchema.inc"

// The schema of an opcode read from a blob, or nullptr for an unknown one.
const OpSchema* find_op_schema(uint32_t opcode);

// "add", "linear", ...; "unknown" for a value without a schema.
const char* opcode_name(OpCode opcode);

} // namespace {{ cookiecutter.__cpp_namespace }}
