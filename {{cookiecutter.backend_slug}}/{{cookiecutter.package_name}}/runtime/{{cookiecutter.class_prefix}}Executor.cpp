{{ cookiecutter.__cpp_license_header }}

#include "{{ cookiecutter.class_prefix }}Executor.h"

#include "{{ cookiecutter.class_prefix }}Backend.h"

#include <executorch/runtime/core/event_tracer_hooks_delegate.h>
#include <executorch/runtime/core/exec_aten/util/tensor_util.h>
#include <executorch/runtime/platform/log.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {{ cookiecutter.__cpp_namespace }} {

using executorch::runtime::DebugHandle;
using executorch::runtime::Error;
using executorch::runtime::EValue;
using executorch::runtime::EventTracer;
using executorch::runtime::EventTracerEntry;
using executorch::runtime::FreeableBuffer;
using executorch::runtime::MemoryAllocator;
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
const char*
format_sizes(const Sizes& sizes, size_t rank, char* buf, size_t cap) {
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

} // namespace

{{ cookiecutter.class_prefix }}Executor::{{ cookiecutter.class_prefix }}Executor(
    Graph graph,
    std::optional<bool> trace_override)
    : graph_(std::move(graph)), trace_override_(trace_override) {}

Error {{ cookiecutter.class_prefix }}Executor::prepare(
    const NamedDataMap* named_data,
    MemoryAllocator& allocator) {
  // HARDWARE-INTEGRATION: this is where a device backend compiles the graph
  // for its accelerator, allocates device memory for the intermediates and
  // uploads the constants, once per loaded method.
  ET_CHECK_OK_OR_RETURN_ERROR(check_supported());
  ET_CHECK_OK_OR_RETURN_ERROR(load_constants(named_data));
  ET_CHECK_OK_OR_RETURN_ERROR(allocate_intermediates());
  ET_CHECK_OK_OR_RETURN_ERROR(prepare_kernels(allocator));
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::check_supported() {
  // Buffers are planned for the blob's shapes: the upper bounds along
  // dynamic dimensions. execute() computes each call's shapes within them.
  planned_shapes_.resize(graph_.tensors.size());
  for (size_t id = 0; id < graph_.tensors.size(); ++id) {
    planned_shapes_[id] = graph_.tensors[id].shape;
    dynamic_ = dynamic_ || graph_.tensors[id].dynamic_dims != 0;
  }
  for (size_t i = 0; dynamic_ && i < graph_.ops.size(); ++i) {
    const Op& op = graph_.ops[i];
    // The shape rules give the computed outputs (all of a split's); any other
    // output keeps the blob's shape.
    for (size_t slot = computed_outputs(op); slot < op.outputs.size(); ++slot) {
      ET_CHECK_OR_RETURN_ERROR(
          graph_.tensors[op.outputs[slot]].dynamic_dims == 0,
          NotSupported,
          "%s: output %zu of op %zu (%s) has dynamic dimensions; its shape "
          "rule does not give that output",
          kBackendName,
          slot,
          i,
          op.schema->name);
    }
  }
  kernels_.resize(graph_.ops.size());
  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    kernels_[i] = find_kernel(
        graph_.ops[i].opcode, graph_.tensors[graph_.ops[i].outputs[0]].dtype);
    // parse_graph() accepts only opcodes of the generated table, and the
    // table has a kernel for each (or the build fails); this guards edits.
    ET_CHECK_OR_RETURN_ERROR(
        kernels_[i] != nullptr,
        NotSupported,
        "%s: op %zu (%s) has no kernel in this runtime",
        kBackendName,
        i,
        opcode_name(graph_.ops[i].opcode));
  }
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::load_constants(const NamedDataMap* named_data) {
  tensor_data_.assign(graph_.tensors.size(), nullptr);
  constant_data_.reserve(graph_.constants.size());
  for (const ConstantRef& constant : graph_.constants) {
    ET_CHECK_OR_RETURN_ERROR(
        named_data != nullptr,
        InvalidProgram,
        "%s: the delegate needs constant '%s' but the program has no named "
        "data",
        kBackendName,
        constant.key.c_str());
    Result<FreeableBuffer> data = named_data->get_data(constant.key.c_str());
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
    ET_CHECK_OR_RETURN_ERROR(
        data->size() == constant.nbytes,
        InvalidProgram,
        "%s: constant '%s' has %zu bytes of named data, the blob expects "
        "%" PRIu64,
        kBackendName,
        constant.key.c_str(),
        data->size(),
        constant.nbytes);
    const void* bytes = data->data();
    const size_t alignment =
        element_size(graph_.tensors[constant.tensor_id].dtype);
    if (constant.nbytes > 0 &&
        reinterpret_cast<uintptr_t>(bytes) % alignment != 0) {
      // Named data is stored with the alignment the exporter asked for; copy
      // rather than read elements through a misaligned pointer.
      const auto size = round_up(constant.nbytes, kArenaAlignment);
      AlignedBuffer copy(
          size ? std::aligned_alloc(kArenaAlignment, *size) : nullptr);
      ET_CHECK_OR_RETURN_ERROR(
          copy != nullptr,
          MemoryAllocationFailed,
          "%s: out of memory copying constant '%s'",
          kBackendName,
          constant.key.c_str());
      std::memcpy(copy.get(), bytes, constant.nbytes);
      bytes = copy.get();
      constant_copies_.push_back(std::move(copy));
      data->Free();
    } else {
      constant_data_.push_back(std::move(data.get()));
    }
    tensor_data_[constant.tensor_id] = const_cast<void*>(bytes);
  }
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::allocate_intermediates() {
  // Offsets of every op output inside one arena.
  std::vector<std::pair<uint32_t, size_t>> offsets;
  size_t total = 0;
  for (const Op& op : graph_.ops) {
    for (uint32_t id : op.outputs) {
      const auto padded = round_up(graph_.tensors[id].nbytes, kArenaAlignment);
      const auto next = padded ? checked_add(total, *padded) : std::nullopt;
      ET_CHECK_OR_RETURN_ERROR(
          next.has_value(),
          InvalidProgram,
          "%s: intermediate tensors exceed the address space",
          kBackendName);
      offsets.emplace_back(id, total);
      total = *next;
    }
  }
  if (total > 0) {
    arena_.reset(std::aligned_alloc(kArenaAlignment, total));
    ET_CHECK_OR_RETURN_ERROR(
        arena_ != nullptr,
        MemoryAllocationFailed,
        "%s: cannot allocate %zu bytes for intermediate tensors",
        kBackendName,
        total);
  }
  auto* base = static_cast<uint8_t*>(arena_.get());
  for (const auto& [id, offset] : offsets) {
    tensor_data_[id] = base == nullptr ? nullptr : base + offset;
  }
  output_data_.assign(graph_.output_ids.size(), nullptr);
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::prepare_kernels(MemoryAllocator& allocator) {
  // What the kernels compute once (weights re-centred, multipliers, scratch)
  // rather than on every call; the constants are bound by now.
  prepared_.assign(graph_.ops.size(), nullptr);
  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    const PrepareFn prepare = find_prepare(kernels_[i]);
    if (prepare == nullptr) {
      continue;
    }
    const Error error = prepare(
        KernelContext(graph_, graph_.ops[i], tensor_data_.data()),
        allocator,
        &prepared_[i]);
    ET_CHECK_OR_RETURN_ERROR(
        error == Error::Ok,
        MemoryAllocationFailed,
        "%s: cannot prepare op %zu (%s): the runtime allocator has no room "
        "for its state (error 0x%x)",
        kBackendName,
        i,
        graph_.ops[i].schema->name,
        static_cast<unsigned>(error));
  }
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::check_argument(
    EValue* arg,
    uint32_t tensor_id,
    const char* kind,
    size_t index) const {
  ET_CHECK_OR_RETURN_ERROR(
      arg != nullptr && arg->isTensor(),
      InvalidArgument,
      "%s: delegate %s %zu is not a tensor",
      kBackendName,
      kind,
      index);
  const executorch::aten::Tensor& tensor = arg->toTensor();
  const TensorInfo& info = graph_.tensors[tensor_id];
  ET_CHECK_OR_RETURN_ERROR(
      static_cast<uint32_t>(tensor.scalar_type()) == info.dtype,
      InvalidArgument,
      "%s: delegate %s %zu has dtype %d, expected %s (%u)",
      kBackendName,
      kind,
      index,
      static_cast<int>(tensor.scalar_type()),
      dtype_name(info.dtype),
      info.dtype);
  if (tensor.dim() != static_cast<int64_t>(info.shape.rank)) {
    char got[128];
    char expected[128];
    const Shape& planned = planned_shapes_[tensor_id];
    ET_LOG(
        Error,
        "%s: delegate %s %zu has shape %s, the delegate was built for %s "
        "(the rank never changes)",
        kBackendName,
        kind,
        index,
        format_sizes(tensor.sizes(), tensor.dim(), got, sizeof(got)),
        format_sizes(planned.sizes, planned.rank, expected, sizeof(expected)));
    return Error::InvalidArgument;
  }
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::bind_input_shape(
    const executorch::aten::Tensor& tensor,
    uint32_t tensor_id,
    size_t index) {
  TensorInfo& info = graph_.tensors[tensor_id];
  const Shape& planned = planned_shapes_[tensor_id];
  Shape shape = planned;
  for (uint32_t d = 0; d < planned.rank; ++d) {
    const int64_t size = tensor.size(d);
    if ((info.dynamic_dims >> d) & 1) {
      ET_CHECK_OR_RETURN_ERROR(
          size >= 0 && size <= static_cast<int64_t>(planned.sizes[d]),
          InvalidArgument,
          "%s: delegate input %zu has size %lld in dimension %u, above its "
          "upper bound %u (the maximum the model was exported with)",
          kBackendName,
          index,
          static_cast<long long>(size),
          d,
          planned.sizes[d]);
      shape.sizes[d] = static_cast<uint32_t>(size);
    } else if (size != static_cast<int64_t>(planned.sizes[d])) {
      char got[128];
      char expected[128];
      ET_LOG(
          Error,
          "%s: delegate input %zu has shape %s, the delegate was built for %s "
          "(dimension %u is static)",
          kBackendName,
          index,
          format_sizes(tensor.sizes(), tensor.dim(), got, sizeof(got)),
          format_sizes(planned.sizes, planned.rank, expected, sizeof(expected)),
          d);
      return Error::InvalidArgument;
    }
  }
  if (dynamic_) {
    // Sizes up to the bounds multiply within what init planned.
    info.shape = shape;
    info.numel = numel(shape);
    info.nbytes = info.numel * element_size(info.dtype);
  }
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::infer_shapes() {
  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    const Op& op = graph_.ops[i];
    for (uint32_t output = 0; output < computed_outputs(op); ++output) {
      ET_CHECK_OK_OR_RETURN_ERROR(infer_output(i, output));
    }
  }
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::infer_output(size_t op_index, uint32_t output) {
  const Op& op = graph_.ops[op_index];
  Shape shape;
  ShapeError error;
  ET_CHECK_OR_RETURN_ERROR(
      infer_output_shape(op, graph_.tensors, &shape, &error, output),
      InvalidArgument,
      "%s: op %zu (%s) cannot run on the sizes of this call: %s",
      kBackendName,
      op_index,
      op.schema->name,
      error.message);
  const uint32_t id = op.outputs[output];
  TensorInfo& info = graph_.tensors[id];
  const Shape& planned = planned_shapes_[id];
  // parse_graph() checked the rule on the bounds; a call's sizes must give
  // a shape inside them, or the op would overrun the planned buffer.
  bool fits = shape.rank == planned.rank;
  for (uint32_t d = 0; fits && d < planned.rank; ++d) {
    fits = ((info.dynamic_dims >> d) & 1) ? shape.sizes[d] <= planned.sizes[d]
                                          : shape.sizes[d] == planned.sizes[d];
  }
  if (!fits) {
    char got[128];
    char expected[128];
    ET_LOG(
        Error,
        "%s: op %zu (%s) would give tensor %u the shape %s with the sizes of "
        "this call; the blob plans %s with dynamic_dims 0x%x (inputs of "
        "inconsistent sizes?)",
        kBackendName,
        op_index,
        op.schema->name,
        id,
        format_sizes(shape.sizes, shape.rank, got, sizeof(got)),
        format_sizes(planned.sizes, planned.rank, expected, sizeof(expected)),
        info.dynamic_dims);
    return Error::InvalidArgument;
  }
  info.shape = shape;
  info.numel = numel(shape);
  info.nbytes = info.numel * element_size(info.dtype);
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::bind_output_shape(
    executorch::aten::Tensor& tensor,
    uint32_t tensor_id,
    size_t index) const {
  const TensorInfo& info = graph_.tensors[tensor_id];
  executorch::aten::SizesType sizes[kMaxRank] = {};
  bool same_shape = true;
  for (uint32_t d = 0; d < info.shape.rank; ++d) {
    sizes[d] = static_cast<executorch::aten::SizesType>(info.shape.sizes[d]);
    same_shape = same_shape && tensor.size(d) == sizes[d];
  }
  if (same_shape) {
    return Error::Ok;
  }
  char got[128];
  char expected[128];
  if (info.dynamic_dims == 0) {
    ET_LOG(
        Error,
        "%s: delegate output %zu has shape %s, the delegate was built for %s",
        kBackendName,
        index,
        format_sizes(tensor.sizes(), tensor.dim(), got, sizeof(got)),
        format_sizes(sizes, info.shape.rank, expected, sizeof(expected)));
    return Error::InvalidArgument;
  }
  // The method planned the output for the upper bound (a DYNAMIC_BOUND
  // tensor); resizing it within that capacity is how a delegate tells
  // ExecuTorch the shape of this call's result.
  const Error error = executorch::ET_RUNTIME_NAMESPACE::resize_tensor(
      tensor, {sizes, static_cast<size_t>(info.shape.rank)});
  if (error != Error::Ok) {
    ET_LOG(
        Error,
        "%s: cannot resize delegate output %zu from %s to %s (error 0x%x)",
        kBackendName,
        index,
        format_sizes(tensor.sizes(), tensor.dim(), got, sizeof(got)),
        format_sizes(sizes, info.shape.rank, expected, sizeof(expected)),
        static_cast<unsigned>(error));
  }
  return error;
}

Error {{ cookiecutter.class_prefix }}Executor::execute(
    Span<EValue*> args,
    bool trace,
    EventTracer* event_tracer) {
  const size_t num_inputs = graph_.input_ids.size();
  const size_t num_outputs = graph_.output_ids.size();
  ET_CHECK_OR_RETURN_ERROR(
      args.size() == num_inputs + num_outputs,
      InvalidArgument,
      "%s: expected %zu arguments (%zu inputs and %zu outputs), got %zu",
      kBackendName,
      num_inputs + num_outputs,
      num_inputs,
      num_outputs,
      args.size());
  for (size_t i = 0; i < num_inputs + num_outputs; ++i) {
    const bool is_input = i < num_inputs;
    const uint32_t id =
        is_input ? graph_.input_ids[i] : graph_.output_ids[i - num_inputs];
    ET_CHECK_OK_OR_RETURN_ERROR(check_argument(
        args[i],
        id,
        is_input ? "input" : "output",
        is_input ? i : i - num_inputs));
  }
  for (size_t i = 0; i < num_inputs; ++i) {
    ET_CHECK_OK_OR_RETURN_ERROR(
        bind_input_shape(args[i]->toTensor(), graph_.input_ids[i], i));
  }
  if (dynamic_) {
    ET_CHECK_OK_OR_RETURN_ERROR(infer_shapes());
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    ET_CHECK_OK_OR_RETURN_ERROR(bind_output_shape(
        args[num_inputs + i]->toTensor(), graph_.output_ids[i], i));
  }
  // Data pointers last: they are taken after every resize.
  for (size_t i = 0; i < num_inputs + num_outputs; ++i) {
    const bool is_input = i < num_inputs;
    const uint32_t id =
        is_input ? graph_.input_ids[i] : graph_.output_ids[i - num_inputs];
    void* data = args[i]->toTensor().mutable_data_ptr();
    ET_CHECK_OR_RETURN_ERROR(
        data != nullptr || graph_.tensors[id].nbytes == 0,
        InvalidArgument,
        "%s: delegate %s %zu has no data",
        kBackendName,
        is_input ? "input" : "output",
        is_input ? i : i - num_inputs);
    if (is_input) {
      tensor_data_[id] = data;
    } else {
      output_data_[i - num_inputs] = data;
    }
  }

  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    const Op& op = graph_.ops[i];
    // Profiling events (ETDump) are keyed by op index, which is how
    // preprocess's debug_handle_map identifies the op.
    EventTracerEntry event = event_tracer_start_profiling_delegate(
        event_tracer, nullptr, static_cast<DebugHandle>(i));
    if (trace) {
      ET_LOG(
          Info,
          "%s: op %zu/%zu %s%s%s%s -> tensor %u (%zu elements)",
          kBackendName,
          i + 1,
          graph_.ops.size(),
          op.schema->name,
          op.name.empty() ? "" : " '",
          op.name.c_str(),
          op.name.empty() ? "" : "'",
          op.outputs[0],
          graph_.tensors[op.outputs[0]].numel);
    }
    // HARDWARE-INTEGRATION: a device backend enqueues the op (or, better,
    // submits the whole graph once in execute) on its accelerator here
    // instead of calling the reference CPU kernels.
    kernels_[i](KernelContext(graph_, op, tensor_data_.data(), prepared_[i]));
    event_tracer_end_profiling_delegate(event_tracer, event);
  }

  // Outputs are computed in the delegate's own buffers and copied out, which
  // also covers outputs that are inputs or constants of the delegate.
  for (size_t i = 0; i < num_outputs; ++i) {
    const TensorInfo& info = graph_.tensors[graph_.output_ids[i]];
    const void* source = tensor_data_[graph_.output_ids[i]];
    if (info.nbytes > 0 && output_data_[i] != source) {
      std::memmove(output_data_[i], source, info.nbytes);
    }
  }
  return Error::Ok;
}

} // namespace {{ cookiecutter.__cpp_namespace }}
