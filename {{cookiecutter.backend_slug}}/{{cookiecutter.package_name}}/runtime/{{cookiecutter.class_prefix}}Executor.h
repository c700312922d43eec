{{ cookiecutter.__cpp_license_header }}

// One initialized delegate: the parsed graph plus every buffer it needs, so
// that execute() only binds the caller's tensors and runs the ops. It is the
// DelegateHandle that {{ cookiecutter.class_prefix }}Backend hands to ExecuTorch, constructed in
// memory from the method's runtime allocator. Like the Method that owns it,
// it runs on one thread at a time.
#pragma once

#include "{{ cookiecutter.class_prefix }}Graph.h"
#include "ops/OpKernel.h"

#include <executorch/runtime/core/error.h>
#include <executorch/runtime/core/evalue.h>
#include <executorch/runtime/core/event_tracer.h>
#include <executorch/runtime/core/freeable_buffer.h>
#include <executorch/runtime/core/memory_allocator.h>
#include <executorch/runtime/core/named_data_map.h>
#include <executorch/runtime/core/result.h>
#include <executorch/runtime/core/span.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

namespace {{ cookiecutter.__cpp_namespace }} {

class {{ cookiecutter.class_prefix }}Executor {
 public:
  // trace_override, when set, replaces the backend-wide "trace" option for
  // this delegate.
  {{ cookiecutter.class_prefix }}Executor(Graph graph, std::optional<bool> trace_override);

  // Looks up every op's kernel, fetches the constants from named_data
  // (checking their sizes), allocates the intermediate tensors once and runs
  // the prepare function of every kernel that has one (find_prepare), whose
  // state comes from allocator (the method's runtime allocator).
  executorch::runtime::Error prepare(
      const executorch::runtime::NamedDataMap* named_data,
      executorch::runtime::MemoryAllocator& allocator);

  // args holds the delegate inputs followed by its outputs, in blob order.
  // Checks their count, dtypes and shapes (a dynamic dimension may have any
  // size up to its bound), computes the shape of every tensor of this call
  // when the graph has dynamic dimensions and resizes the outputs to theirs,
  // then runs every op, logging each when trace is set and recording a
  // profiling event per op when event_tracer is not null. Allocates nothing.
  executorch::runtime::Error execute(
      executorch::runtime::Span<executorch::runtime::EValue*> args,
      bool trace,
      executorch::runtime::EventTracer* event_tracer);

  size_t num_ops() const {
    return graph_.ops.size();
  }
  const std::optional<bool>& trace_override() const {
    return trace_override_;
  }

 private:
  struct FreeDeleter {
    void operator()(void* p) const {
      std::free(p);
    }
  };
  using AlignedBuffer = std::unique_ptr<void, FreeDeleter>;

  executorch::runtime::Error check_supported();
  executorch::runtime::Error load_constants(
      const executorch::runtime::NamedDataMap* named_data);
  executorch::runtime::Error allocate_intermediates();
  executorch::runtime::Error prepare_kernels(
      executorch::runtime::MemoryAllocator& allocator);
  // Checks that arg is a tensor of the blob's dtype and rank for tensor_id.
  executorch::runtime::Error check_argument(
      executorch::runtime::EValue* arg,
      uint32_t tensor_id,
      const char* kind,
      size_t index) const;
  // Takes the sizes of delegate input `index` for this call: the blob's
  // sizes, or up to the bound along a dynamic dimension.
  executorch::runtime::Error bind_input_shape(
      const executorch::aten::Tensor& tensor,
      uint32_t tensor_id,
      size_t index);
  // Computes the shape of every op output of this call by the shape rules,
  // within the bounds init planned for.
  executorch::runtime::Error infer_shapes();
  // Output `output` of op `op_index`: its shape for this call, inside the plan.
  executorch::runtime::Error infer_output(size_t op_index, uint32_t output);
  // Gives delegate output `index` the shape of tensor_id in this call:
  // resize_tensor for a dynamic one, the blob's sizes otherwise.
  executorch::runtime::Error bind_output_shape(
      executorch::aten::Tensor& tensor,
      uint32_t tensor_id,
      size_t index) const;

  // The blob's graph. Its tensors' shapes are those of the current call:
  // execute() sets them from the inputs when the graph is dynamic.
  Graph graph_;
  // Per tensor id: the blob's shape, which init planned the buffers for
  // (upper bounds along dynamic dimensions).
  std::vector<Shape> planned_shapes_;
  // Whether any tensor has a dynamic dimension.
  bool dynamic_ = false;
  std::optional<bool> trace_override_;
  // Per op: its kernel from the generated table.
  std::vector<KernelFn> kernels_;
  // Per op: its kernel's prepared state (in the runtime allocator), or null.
  std::vector<void*> prepared_;
  // Keeps the constant bytes alive (they may point into the program).
  std::vector<executorch::runtime::FreeableBuffer> constant_data_;
  // Aligned copies of constants whose named data was not aligned.
  std::vector<AlignedBuffer> constant_copies_;
  // One allocation for the outputs of all ops.
  AlignedBuffer arena_;
  // Per tensor id: where its data lives. Inputs are rebound per execute;
  // kernels write only op outputs, so constants are never written through.
  std::vector<void*> tensor_data_;
  // Per delegate output: the caller's buffer, bound per execute.
  std::vector<void*> output_data_;
};

} // namespace {{ cookiecutter.__cpp_namespace }}
