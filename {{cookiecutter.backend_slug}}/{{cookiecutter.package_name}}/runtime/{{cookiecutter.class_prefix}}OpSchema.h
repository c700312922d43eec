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
  AdaptivePool2d, // [..., h, w] -> [..., *output_size]
  Reduce, // attributes dim (empty: all), keepdim
  AlongDim, // operand 0's shape; attribute dim is one of its dimensions
  BatchNorm, // input [n, c, ...], every other present operand [c]
  LayerNorm, // input [..., *normalized_shape]; weight, bias normalized_shape
  Cat, // the variadic operand's tensors joined along attribute dim
  Split, // one output per attribute split_sizes entry, cut along dim
  Attention, // q [..., l, e], k [..., s, e], v [..., s, ev], mask -> [l, ev]
  Addmm, // self broadcast to [n, m], mat1 [n, k], mat2 [k, m] -> [n, m]
  Full, // no operands; the attribute size
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
  bool variadic; // the last operand, taking one or more inputs (cat)
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
  // One or more outputs, as many as the attributes say (split); otherwise
  // exactly num_outputs.
  bool variadic_outputs;
  const AttrSchema* attrs;
  uint32_t num_attrs;
  ShapeRule shape_rule;
  const uint32_t* dtypes; // ExecuTorch ScalarType codes
  uint32_t num_dtypes;
  // An integer kernel run_<name>_int8 runs the op when its output is int8.
  bool int8_kernel;
};

#include "generated/OpSchema.inc"

// The last operand takes one or more of an op record's inputs.
inline bool has_variadic_operand(const OpSchema& schema) {
  return schema.num_operands > 0 &&
      schema.operands[schema.num_operands - 1].variadic;
}

// The operand that an op record's input `slot` belongs to.
inline const OperandSchema& operand_of(const OpSchema& schema, uint32_t slot) {
  return schema
      .operands[slot < schema.num_operands ? slot : schema.num_operands - 1];
}

// The schema of an opcode read from a blob, or nullptr for an unknown one.
const OpSchema* find_op_schema(uint32_t opcode);

// "add", "linear", ...; "unknown" for a value without a schema.
const char* opcode_name(OpCode opcode);

} // namespace {{ cookiecutter.__cpp_namespace }}
