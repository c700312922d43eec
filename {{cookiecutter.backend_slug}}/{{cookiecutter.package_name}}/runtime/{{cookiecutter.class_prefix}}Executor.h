// One initialized delegate: the parsed graph plus every buffer it needs, so
// that execute() only binds the caller's tensors and runs the ops. It is the
// DelegateHandle that {{ cookiecutter.class_prefix }}Backend hands to ExecuTorch. Like the Method
// that owns it, it runs on one thread at a time.
#pragma once

#include "{{ cookiecutter.class_prefix }}Graph.h"

#include <executorch/runtime/core/error.h>
#include <executorch/runtime/core/evalue.h>
#include <executorch/runtime/core/event_tracer.h>
#include <executorch/runtime/core/freeable_buffer.h>
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
  // Fetches the constants from named_data (checking their sizes) and
  // allocates the intermediate tensors once. trace_override, when set,
  // replaces the backend-wide "trace" option for this delegate.
  static executorch::runtime::Result<std::unique_ptr<{{ cookiecutter.class_prefix }}Executor>>
  create(
      Graph graph,
      const executorch::runtime::NamedDataMap* named_data,
      std::optional<bool> trace_override);

  // args holds the delegate inputs followed by its outputs, in blob order.
  // Checks their count, dtypes and shapes, then runs every op, logging each
  // when trace is set and recording a profiling event per op when
  // event_tracer is not null. Allocates nothing.
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

  {{ cookiecutter.class_prefix }}Executor(Graph graph, std::optional<bool> trace_override);

  executorch::runtime::Error load_constants(
      const executorch::runtime::NamedDataMap* named_data);
  executorch::runtime::Error allocate_intermediates();
  // Checks that arg is a float32 tensor of the blob's shape for tensor_id
  // and returns its data.
  executorch::runtime::Result<void*> bind_argument(
      executorch::runtime::EValue* arg,
      uint32_t tensor_id,
      const char* kind,
      size_t index) const;
  void run_op(size_t op_index);

  Graph graph_;
  std::optional<bool> trace_override_;
  // Keeps the constant bytes alive (they may point into the program).
  std::vector<executorch::runtime::FreeableBuffer> constant_data_;
  // Aligned copies of constants whose named data was not float-aligned.
  std::vector<AlignedBuffer> constant_copies_;
  // One allocation for the outputs of all ops.
  AlignedBuffer arena_;
  // Per tensor id: where its floats live. Inputs are rebound per execute.
  std::vector<const float*> tensor_data_;
  // Per op: its output, inside arena_.
  std::vector<float*> op_output_data_;
  // Per delegate output: the caller's buffer, bound per execute.
  std::vector<float*> output_data_;
};

} // namespace {{ cookiecutter.__cpp_namespace }}
