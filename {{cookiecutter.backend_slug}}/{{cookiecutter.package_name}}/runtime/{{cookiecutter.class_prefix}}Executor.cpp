{{ cookiecutter.__cpp_license_header }}

#include "{{ cookiecutter.class_prefix }}Executor.h"

#include "{{ cookiecutter.class_prefix }}Backend.h"

#include <executorch/runtime/core/event_tracer_hooks_delegate.h>
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

Error {{ cookiecutter.class_prefix }}Executor::prepare(const NamedDataMap* named_data) {
  // HARDWARE-INTEGRATION: this is where a device backend compiles the graph
  // for its accelerator, allocates device memory for the intermediates and
  // uploads the constants, once per loaded method.
  ET_CHECK_OK_OR_RETURN_ERROR(check_supported());
  ET_CHECK_OK_OR_RETURN_ERROR(load_constants(named_data));
  ET_CHECK_OK_OR_RETURN_ERROR(allocate_intermediates());
  return Error::Ok;
}

Error {{ cookiecutter.class_prefix }}Executor::check_supported() {
  for (size_t id = 0; id < graph_.tensors.size(); ++id) {
    ET_CHECK_OR_RETURN_ERROR(
        graph_.tensors[id].dynamic_dims == 0,
        NotSupported,
        "%s: tensor %zu has dynamic_dims 0x%x: bounded dynamic shapes are "
        "not supported yet",
        kBackendName,
        id,
        graph_.tensors[id].dynamic_dims);
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

Result<void*> {{ cookiecutter.class_prefix }}Executor::bind_argument(
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
  bool same_shape = tensor.dim() == static_cast<int64_t>(info.shape.rank);
  for (uint32_t d = 0; same_shape && d < info.shape.rank; ++d) {
    same_shape = tensor.size(d) == static_cast<int64_t>(info.shape.sizes[d]);
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
        format_sizes(
            info.shape.sizes, info.shape.rank, expected, sizeof(expected)));
    return Error::InvalidArgument;
  }
  void* data = tensor.mutable_data_ptr();
  ET_CHECK_OR_RETURN_ERROR(
      data != nullptr || info.nbytes == 0,
      InvalidArgument,
      "%s: delegate %s %zu has no data",
      kBackendName,
      kind,
      index);
  return data;
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
  for (size_t i = 0; i < num_inputs; ++i) {
    Result<void*> data =
        bind_argument(args[i], graph_.input_ids[i], "input", i);
    if (!data.ok()) {
      return data.error();
    }
    tensor_data_[graph_.input_ids[i]] = *data;
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    Result<void*> data =
        bind_argument(args[num_inputs + i], graph_.output_ids[i], "output", i);
    if (!data.ok()) {
      return data.error();
    }
    output_data_[i] = *data;
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
    kernels_[i](KernelContext(graph_, op, tensor_data_.data()));
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
