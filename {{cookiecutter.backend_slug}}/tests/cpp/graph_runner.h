// Runs a parsed graph through the reference kernels on buffers of exactly
// the declared sizes, so that a shape the validator should have refused shows
// up as an ASan report. Shared by the mutation test (test_blob_fuzz.cpp) and
// the libFuzzer target (fuzz_blob_parser.cpp).
#pragma once

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>
#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Kernels.h>

#include <cstddef>
#include <vector>

namespace graph_runner {

using namespace {{ cookiecutter.__cpp_namespace }};

// Graphs with more elements than this are parsed but not executed.
constexpr size_t kMaxElementsToExecute = size_t(1) << 20;

inline size_t total_elements(const Graph& graph) {
  size_t total = 0;
  for (const TensorInfo& tensor : graph.tensors) {
    if (tensor.numel > kMaxElementsToExecute - total) {
      return kMaxElementsToExecute + 1;
    }
    total += tensor.numel;
  }
  return total;
}

// Runs an accepted graph on buffers of exactly the declared sizes.
inline void execute(const Graph& graph) {
  std::vector<std::vector<float>> data(graph.tensors.size());
  for (size_t id = 0; id < graph.tensors.size(); ++id) {
    data[id].assign(graph.tensors[id].numel, 0.5f);
  }
  for (const Op& op : graph.ops) {
    const TensorInfo& out = graph.tensors[op.output];
    const TensorInfo& a = graph.tensors[op.inputs[0]];
    float* o = data[op.output].data();
    const float* x = data[op.inputs[0]].data();
    switch (op.opcode) {
      case OpCode::Add:
      case OpCode::Sub:
      case OpCode::Mul:
      case OpCode::Div: {
        const auto kind = op.opcode == OpCode::Add ? kernels::BinaryOp::Add
            : op.opcode == OpCode::Sub             ? kernels::BinaryOp::Sub
            : op.opcode == OpCode::Mul             ? kernels::BinaryOp::Mul
                                                   : kernels::BinaryOp::Div;
        kernels::binary(
            kind, x, a.shape, data[op.inputs[1]].data(), graph.tensors[op.inputs[1]].shape, o, out.shape, op.params[0]);
        break;
      }
      case OpCode::Relu:
        kernels::unary(kernels::UnaryOp::Relu, x, o, out.numel);
        break;
      case OpCode::Sigmoid:
        kernels::unary(kernels::UnaryOp::Sigmoid, x, o, out.numel);
        break;
      case OpCode::Tanh:
        kernels::unary(kernels::UnaryOp::Tanh, x, o, out.numel);
        break;
      case OpCode::Clamp:
        kernels::clamp(x, o, out.numel, op.params[0], op.params[1]);
        break;
      case OpCode::Linear: {
        const Shape& w = graph.tensors[op.inputs[1]].shape;
        size_t rows = 1;
        for (uint32_t d = 0; d + 1 < a.shape.rank; ++d) {
          rows *= a.shape.sizes[d];
        }
        const float* bias = op.num_inputs == 3 ? data[op.inputs[2]].data() : nullptr;
        kernels::linear(x, data[op.inputs[1]].data(), bias, o, rows, w.dim(1), w.dim(0));
        break;
      }
      case OpCode::Mm:
        kernels::mm(x, data[op.inputs[1]].data(), o, a.shape.dim(0), a.shape.dim(1), graph.tensors[op.inputs[1]].shape.dim(1));
        break;
      case OpCode::Bmm:
        kernels::bmm(
            x, data[op.inputs[1]].data(), o, a.shape.dim(0), a.shape.dim(1), a.shape.dim(2),
            graph.tensors[op.inputs[1]].shape.dim(2));
        break;
    }
  }
}

} // namespace graph_runner
