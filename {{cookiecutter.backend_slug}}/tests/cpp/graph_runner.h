{{ cookiecutter.__cpp_license_header }}

// Runs a parsed graph through the generated kernel table on buffers of
// exactly the declared sizes, so that a shape the validator should have
// refused shows up as an ASan report. Shared by the mutation test
// (test_blob_fuzz.cpp) and the libFuzzer target (fuzz_blob_parser.cpp).
#pragma once

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>
#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

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
inline void execute(const Graph& graph) {
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
  for (const Op& op : graph.ops) {
    const KernelFn kernel =
        find_kernel(op.opcode, graph.tensors[op.outputs[0]].dtype);
    if (kernel == nullptr) {
      std::abort(); // parse_graph() accepted an opcode without a kernel
    }
    kernel(KernelContext(graph, op, pointers.data()));
  }
}

} // namespace graph_runner
