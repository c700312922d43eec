#include "{{ cookiecutter.class_prefix }}Executor.h"

#include "{{ cookiecutter.class_prefix }}Backend.h"
#include "{{ cookiecutter.class_prefix }}Kernels.h"

#include <executorch/runtime/core/event_tracer_hooks_delegate.h>
#include <executorch/runtime/platform/log.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>

namespace {{ cookiecutter.__cpp_namespace }} {

using executorch::aten::ScalarType;
using executorch::runtime::DebugHandle;
using executorch::runtime::Error;
using executorch::runtime::EValue;
using executorch::runtime::EventTracer;
using executorch::runtime::EventTracerEntry;
using executorch::runtime::FreeableBuffer;
using executorch::runtime::NamedDataMap;
using executorch::runtime::Result;
using executorch::runtime::Span;

namespace {

// Intermediate tensors start on cache-line boundaries.
constexpr size_t kArenaAlignment = 64;

std::optional<size_t> round_up(size_t value, size_t alignment) {
  const auto padded = checked_add(value, alignment - 1);
  if (!padded) {
    return std::nullopt;
  }
  return *padded / alignment * alignment;
}

// "[2, 3]" into a caller-provided buffer: execute() must not allocate, even
// on its error paths.
template <typename Sizes>
const char* format_sizes(const Sizes& sizes, size_t rank, char* buf, size_t cap) {
  size_t used = std::snprintf(buf, cap, "[");
  for (size_t i = 0; i < rank && used < cap; ++i) {
    used += std::snprintf(
        buf + used,
        cap - used,
        "%s%lld",
        i == 0 ? "" : ", ",
        static_cast<long long>(sizes[i]));
  }
  if (used < cap) {
    std::snprintf(buf + used, cap - used, "]");
  }
  return buf;
}

kernels::BinaryOp binary_op(OpCode opcode) {
  switch (opcode) {
    case OpCode::Sub:
      return kernels::BinaryOp::Sub;
    case OpCode::Mul:
      return kernels::BinaryOp::Mul;
    case OpCode::Div:
      return kernels::BinaryOp::Div;
    default:
      return kernels::BinaryOp::Add;
  }
}

kernels::UnaryOp unary_op(OpCode opcode) {
  switch (opcode) {
    case OpCode::Sigmoid:
      return kernels::UnaryOp::Sigmoid;
    case OpCode::Tanh:
      return kernels::UnaryOp::Tanh;
    default:
      return kernels::UnaryOp::Relu;
  }
}

} // namespace

{{ cookiecutter.class_prefix }}Executor::{{ cookiecutter.class_prefix }}Executor(Graph graph, std::optional<bool> trace_override)
    : graph_(std::move(graph)), trace_override_(trace_override) {}

Result<std::unique_ptr<{{ cookiecutter.class_prefix }}Executor>> {{ cookiecutter.class_prefix }}Executor::create(
    Graph graph,
    const NamedDataMap* named_data,
    std::optional<bool> trace_override) {
  std::unique_ptr<{{ cookiecutter.class_prefix }}Executor> executor(new (std::nothrow)
      {{ cookiecutter.class_prefix }}Executor(std::move(graph), trace_override));
  if (executor == nullptr) {
    ET_LOG(Error, "%s: out of memory creating the delegate", kBackendName);
    return Error::MemoryAllocationFailed;
  }
  // HARDWARE-INTEGRATION: this is where a device backend compiles the graph
  // for its accelerator, allocates device memory for the intermediates and
  // uploads the constants, once per loaded method.
  ET_CHECK_OK_OR_RETURN_ERROR(executor->load_constants(named_data));
  ET_CHECK_OK_OR_RETURN_ERROR(executor->allocate_intermediates());
  return executor;
}

Error {{ cookiecutter.class_prefix }}Executor::load_constants(const NamedDataMap* named_data) {
  tensor_data_.assign(graph_.tensors.size(), nullptr);
  constant_data_.reserve(graph_.constants.size());
  for (const ConstantRef& constant : graph_.constants) {
    if (named_data == nullptr) {
      ET_LOG(
          Error,
          "%s: the delegate needs constant '%s' but the program has no named "
          "data",
          kBackendName,
          constant.key.c_str());
      return Error::InvalidProgram;
    }
    Result<FreeableBuffer> data = named_data->get_data(constant.key);
    if (!data.ok()) {
      ET_LOG(
          Error,
          "%s: constant '%s' for tensor %u is not in the program's named data "
          "(error 0x%x)",
          kBackendName,
          constant.key.c_str(),
          constant.tensor_id,
          static_cast<unsigned>(data.error()));
      return data.error();
    }
    if (data->size() != constant.nbytes) {
      ET_LOG(
          Error,
          "%s: constant '%s' has %zu bytes of named data, the blob expects "
          "%" PRIu64,
          kBackendName,
          constant.key.c_str(),
          data->size(),
          constant.nbytes);
      return Error::InvalidProgram;
    }
    const void* bytes = data->data();
    if (constant.nbytes > 0 &&
        reinterpret_cast<uintptr_t>(bytes) % alignof(float) != 0) {
      // Named data is stored with the alignment the exporter asked for; copy
      // rather than read floats through a misaligned pointer.
      const auto size = round_up(constant.nbytes, kArenaAlignment);
      AlignedBuffer copy(size ? std::aligned_alloc(kArenaAlignment, *size) : nullptr);
      if (copy == nullptr) {
        ET_LOG(Error, "%s: out of memory copying constant '%s'", kBackendName, constant.key.c_str());
        return Error::MemoryAllocationFailed;
      }
      std::memcpy(copy.get(), bytes, constant.nbytes);
      bytes = copy.get();
      constant_copies_.push_back(std::move(copy));
      data->Free();
    } else {
      constant_data_.push_back(std::move(data.get()));
    }
    tensor_data_[constant.tensor_id] = static_cast<const float*>(bytes);
  }
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::allocate_intermediates() {
  std::vector<size_t> offsets(graph_.ops.size());
  size_t total = 0;
  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    const auto padded = round_up(graph_.tensors[graph_.ops[i].output].nbytes, kArenaAlignment);
    const auto next = padded ? checked_add(total, *padded) : std::nullopt;
    if (!next) {
      ET_LOG(Error, "%s: intermediate tensors exceed the address space", kBackendName);
      return Error::InvalidProgram;
    }
    offsets[i] = total;
    total = *next;
  }
  if (total > 0) {
    arena_.reset(std::aligned_alloc(kArenaAlignment, total));
    if (arena_ == nullptr) {
      ET_LOG(
          Error,
          "%s: cannot allocate %zu bytes for intermediate tensors",
          kBackendName,
          total);
      return Error::MemoryAllocationFailed;
    }
  }
  auto* base = static_cast<uint8_t*>(arena_.get());
  op_output_data_.resize(graph_.ops.size());
  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    float* data = base == nullptr ? nullptr : reinterpret_cast<float*>(base + offsets[i]);
    op_output_data_[i] = data;
    tensor_data_[graph_.ops[i].output] = data;
  }
  output_data_.assign(graph_.output_ids.size(), nullptr);
  return Error::Ok;
}

Result<void*> {{ cookiecutter.class_prefix }}Executor::bind_argument(
    EValue* arg,
    uint32_t tensor_id,
    const char* kind,
    size_t index) const {
  if (arg == nullptr || !arg->isTensor()) {
    ET_LOG(Error, "%s: delegate %s %zu is not a tensor", kBackendName, kind, index);
    return Error::InvalidArgument;
  }
  const executorch::aten::Tensor& tensor = arg->toTensor();
  const TensorInfo& info = graph_.tensors[tensor_id];
  if (tensor.scalar_type() != ScalarType::Float) {
    ET_LOG(
        Error,
        "%s: delegate %s %zu has dtype %d, expected float32 (%u)",
        kBackendName,
        kind,
        index,
        static_cast<int>(tensor.scalar_type()),
        kDtypeFloat32);
    return Error::InvalidArgument;
  }
  bool same_shape = tensor.dim() == static_cast<ssize_t>(info.shape.rank);
  for (uint32_t d = 0; same_shape && d < info.shape.rank; ++d) {
    same_shape = tensor.size(d) == static_cast<ssize_t>(info.shape.sizes[d]);
  }
  if (!same_shape) {
    char got[128];
    char expected[128];
    ET_LOG(
        Error,
        "%s: delegate %s %zu has shape %s, the delegate was built for %s "
        "(dynamic shapes are not supported)",
        kBackendName,
        kind,
        index,
        format_sizes(tensor.sizes(), tensor.dim(), got, sizeof(got)),
        format_sizes(info.shape.sizes, info.shape.rank, expected, sizeof(expected)));
    return Error::InvalidArgument;
  }
  void* data = tensor.mutable_data_ptr();
  if (data == nullptr && info.nbytes > 0) {
    ET_LOG(Error, "%s: delegate %s %zu has no data", kBackendName, kind, index);
    return Error::InvalidArgument;
  }
  return data;
}

Error {{ cookiecutter.class_prefix }}Executor::execute(
    Span<EValue*> args,
    bool trace,
    EventTracer* event_tracer) {
  const size_t num_inputs = graph_.input_ids.size();
  const size_t num_outputs = graph_.output_ids.size();
  if (args.size() != num_inputs + num_outputs) {
    ET_LOG(
        Error,
        "%s: expected %zu arguments (%zu inputs and %zu outputs), got %zu",
        kBackendName,
        num_inputs + num_outputs,
        num_inputs,
        num_outputs,
        args.size());
    return Error::InvalidArgument;
  }
  for (size_t i = 0; i < num_inputs; ++i) {
    Result<void*> data = bind_argument(args[i], graph_.input_ids[i], "input", i);
    if (!data.ok()) {
      return data.error();
    }
    tensor_data_[graph_.input_ids[i]] = static_cast<const float*>(*data);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    Result<void*> data =
        bind_argument(args[num_inputs + i], graph_.output_ids[i], "output", i);
    if (!data.ok()) {
      return data.error();
    }
    output_data_[i] = static_cast<float*>(*data);
  }

  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    // Profiling events (ETDump) are keyed by op index, which is how
    // preprocess's debug_handle_map identifies the op.
    EventTracerEntry event = event_tracer_start_profiling_delegate(
        event_tracer, nullptr, static_cast<DebugHandle>(i));
    if (trace) {
      const Op& op = graph_.ops[i];
      ET_LOG(
          Info,
          "%s: op %zu/%zu %s%s%s%s -> tensor %u (%zu elements)",
          kBackendName,
          i + 1,
          graph_.ops.size(),
          opcode_name(op.opcode),
          op.name.empty() ? "" : " '",
          op.name.c_str(),
          op.name.empty() ? "" : "'",
          op.output,
          graph_.tensors[op.output].numel);
    }
    run_op(i);
    event_tracer_end_profiling_delegate(event_tracer, event);
  }

  // Outputs are computed in the delegate's own buffers and copied out, which
  // also covers outputs that are inputs or constants of the delegate.
  for (size_t i = 0; i < num_outputs; ++i) {
    const TensorInfo& info = graph_.tensors[graph_.output_ids[i]];
    const float* source = tensor_data_[graph_.output_ids[i]];
    if (info.nbytes > 0 && output_data_[i] != source) {
      std::memmove(output_data_[i], source, info.nbytes);
    }
  }
  return Error::Ok;
}

void {{ cookiecutter.class_prefix }}Executor::run_op(size_t op_index) {
  const Op& op = graph_.ops[op_index];
  // HARDWARE-INTEGRATION: a device backend enqueues the op (or, better,
  // submits the whole graph once in execute) on its accelerator here instead
  // of calling the reference CPU kernels.
  float* out = op_output_data_[op_index];
  const TensorInfo& out_info = graph_.tensors[op.output];
  const float* a = tensor_data_[op.inputs[0]];
  const TensorInfo& a_info = graph_.tensors[op.inputs[0]];
  switch (op.opcode) {
    case OpCode::Add:
    case OpCode::Sub:
    case OpCode::Mul:
    case OpCode::Div: {
      const TensorInfo& b_info = graph_.tensors[op.inputs[1]];
      kernels::binary(
          binary_op(op.opcode),
          a,
          a_info.shape,
          tensor_data_[op.inputs[1]],
          b_info.shape,
          out,
          out_info.shape,
          op.params[0]);
      return;
    }
    case OpCode::Relu:
    case OpCode::Sigmoid:
    case OpCode::Tanh:
      kernels::unary(unary_op(op.opcode), a, out, out_info.numel);
      return;
    case OpCode::Clamp:
      kernels::clamp(a, out, out_info.numel, op.params[0], op.params[1]);
      return;
    case OpCode::Linear: {
      const Shape& x = a_info.shape;
      const Shape& w = graph_.tensors[op.inputs[1]].shape;
      size_t rows = 1;
      for (uint32_t d = 0; d + 1 < x.rank; ++d) {
        rows *= x.sizes[d];
      }
      const float* bias = op.num_inputs == 3 ? tensor_data_[op.inputs[2]] : nullptr;
      kernels::linear(a, tensor_data_[op.inputs[1]], bias, out, rows, w.dim(1), w.dim(0));
      return;
    }
    case OpCode::Mm: {
      const Shape& b = graph_.tensors[op.inputs[1]].shape;
      kernels::mm(a, tensor_data_[op.inputs[1]], out, a_info.shape.dim(0), a_info.shape.dim(1), b.dim(1));
      return;
    }
    case OpCode::Bmm: {
      const Shape& b = graph_.tensors[op.inputs[1]].shape;
      kernels::bmm(
          a,
          tensor_data_[op.inputs[1]],
          out,
          a_info.shape.dim(0),
          a_info.shape.dim(1),
          a_info.shape.dim(2),
          b.dim(2));
      return;
    }
  }
}

} // namespace {{ cookiecutter.__cpp_namespace }}
