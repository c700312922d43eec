{{ cookiecutter.__cpp_license_header }}

// Runs a parsed graph through the generated kernel table on buffers of
// exactly the declared sizes, so that a shape the validator should have
// refused shows up as an ASan report. Shared by the mutation test
// (test_blob_fuzz.cpp) and the libFuzzer target (fuzz_blob_parser.cpp).
#pragma once

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>
#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <executorch/extension/memory_allocator/malloc_memory_allocator.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace graph_runner {

using namespace {{ cookiecutter.__cpp_namespace }};

// Graphs with more bytes than this are parsed but not executed.
constexpr size_t kMaxBytesToExecute = size_t(4) << 20;

inline size_t total_bytes(const Graph& graph) {
  size_t total = 0;
  for (const TensorInfo& tensor : graph.tensors) {
    if (tensor.nbytes > kMaxBytesToExecute - total) {
      return kMaxBytesToExecute + 1;
    }
    total += tensor.nbytes;
  }
  return total;
}

// Runs an accepted graph on buffers of exactly the declared sizes (each its
// own allocation, so an overrun is caught), every op through kKernelTable.
inline void execute_at_declared_sizes(const Graph& graph) {
  std::vector<std::vector<uint8_t>> data(graph.tensors.size());
  std::vector<void*> pointers(graph.tensors.size());
  for (size_t id = 0; id < graph.tensors.size(); ++id) {
    data[id].assign(graph.tensors[id].nbytes, 0);
    if (graph.tensors[id].dtype == kDtypeFloat32) {
      const float half = 0.5f;
      for (size_t i = 0; i < graph.tensors[id].numel; ++i) {
        std::memcpy(data[id].data() + i * sizeof(float), &half, sizeof(float));
      }
    }
    pointers[id] = data[id].data();
  }
  executorch::extension::MallocMemoryAllocator allocator;
  for (const Op& op : graph.ops) {
    const KernelFn kernel =
        find_kernel(op.opcode, graph.tensors[op.outputs[0]].dtype);
    if (kernel == nullptr) {
      std::abort(); // parse_graph() accepted an opcode without a kernel
    }
    // The kernel's prepared state, as the executor makes it at init.
    void* prepared = nullptr;
    const PrepareFn prepare = find_prepare(kernel);
    if (prepare != nullptr &&
        prepare(
            KernelContext(graph, op, pointers.data()), allocator, &prepared) !=
            executorch::runtime::Error::Ok) {
      std::abort();
    }
    kernel(KernelContext(graph, op, pointers.data(), prepared));
  }
}

// The graph as one call of the executor sees it when every dynamic dimension
// of its inputs is `size` (capped at the bound): the shapes of every op output
// from infer_output_shape(). False when a shape rule refuses those sizes or
// an output leaves its bounds, which the executor reports as an error.
inline bool shrink_dynamic_dims(Graph& graph, uint32_t size) {
  for (const uint32_t id : graph.input_ids) {
    TensorInfo& tensor = graph.tensors[id];
    for (uint32_t d = 0; d < tensor.shape.rank; ++d) {
      if ((tensor.dynamic_dims >> d) & 1 && tensor.shape.sizes[d] > size) {
        tensor.shape.sizes[d] = size;
      }
    }
  }
  for (const Op& op : graph.ops) {
    Shape shape;
    ShapeError error;
    if (!infer_output_shape(op, graph.tensors, &shape, &error)) {
      return false;
    }
    TensorInfo& tensor = graph.tensors[op.outputs[0]];
    if (shape.rank != tensor.shape.rank) {
      return false;
    }
    for (uint32_t d = 0; d < shape.rank; ++d) {
      const bool dynamic = (tensor.dynamic_dims >> d) & 1;
      if (dynamic ? shape.sizes[d] > tensor.shape.sizes[d]
                  : shape.sizes[d] != tensor.shape.sizes[d]) {
        return false;
      }
    }
    tensor.shape = shape;
  }
  for (TensorInfo& tensor : graph.tensors) {
    tensor.numel = numel(tensor.shape);
    tensor.nbytes = tensor.numel * element_size(tensor.dtype);
  }
  return true;
}

// Runs the graph at its declared sizes and, when it has dynamic dimensions,
// again as a call with smaller sizes would (buffers of exactly those sizes):
// the kernels must follow the shapes of the call, not the bounds.
inline void execute(const Graph& graph) {
  execute_at_declared_sizes(graph);
  bool dynamic = false;
  for (const TensorInfo& tensor : graph.tensors) {
    dynamic = dynamic || tensor.dynamic_dims != 0;
  }
  for (const uint32_t size : {1u, 2u}) {
    Graph smaller = graph;
    if (dynamic && shrink_dynamic_dims(smaller, size)) {
      execute_at_declared_sizes(smaller);
    }
  }
}

} // namespace graph_runner
