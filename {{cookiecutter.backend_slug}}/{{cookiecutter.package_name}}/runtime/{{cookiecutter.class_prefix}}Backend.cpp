{{ cookiecutter.__cpp_license_header }}

// The ExecuTorch BackendInterface of {{ cookiecutter.backend_name | comment_text }}, and its registration.
//
// init() parses and validates the delegate blob once, fetches its constants
// and allocates every buffer; execute() then only checks the arguments and
// runs the ops. Options: see {{ cookiecutter.class_prefix }}Backend.h.

#include "{{ cookiecutter.class_prefix }}Backend.h"

#include "{{ cookiecutter.class_prefix }}Executor.h"
#include "{{ cookiecutter.class_prefix }}Graph.h"

#include <executorch/runtime/backend/interface.h>
#include <executorch/runtime/platform/log.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace {{ cookiecutter.__cpp_namespace }} {

using executorch::runtime::ArrayRef;
using executorch::runtime::Backend;
using executorch::runtime::BackendExecutionContext;
using executorch::runtime::BackendInitContext;
using executorch::runtime::BackendOption;
using executorch::runtime::BackendOptionContext;
using executorch::runtime::CompileSpec;
using executorch::runtime::DelegateHandle;
using executorch::runtime::Error;
using executorch::runtime::EValue;
using executorch::runtime::FreeableBuffer;
using executorch::runtime::MemoryAllocator;
using executorch::runtime::Result;
using executorch::runtime::Span;

namespace {

bool trace_enabled_by_environment() {
  const char* value = std::getenv("{{ cookiecutter.__slug_upper }}_TRACE");
  return value != nullptr && value[0] != '\0' && std::strcmp(value, "0") != 0;
}

} // namespace

class {{ cookiecutter.class_prefix }}Backend final : public executorch::runtime::BackendInterface {
 public:
  bool is_available() const override {
    // HARDWARE-INTEGRATION: report whether the accelerator (driver, device,
    // firmware) is usable on this machine. The reference runtime computes on
    // the CPU, which is always there.
    return true;
  }

  Result<DelegateHandle*> init(
      BackendInitContext& context,
      FreeableBuffer* processed,
      ArrayRef<CompileSpec> compile_specs) const override {
    (void)compile_specs; // this backend defines none; the blob says it all
    ET_CHECK_OR_RETURN_ERROR(
        processed != nullptr,
        InvalidArgument,
        "%s: init got no delegate blob",
        kBackendName);
    // The environment's default is read here, not when the library loads.
    resolve_trace_default();
    std::string reason;
    Result<Graph> graph =
        parse_graph(processed->data(), processed->size(), &reason);
    if (!graph.ok()) {
      ET_LOG(
          Error,
          "%s: invalid delegate blob in method '%s': %s",
          kBackendName,
          context.get_method_name() != nullptr ? context.get_method_name()
                                               : "?",
          reason.c_str());
      return graph.error();
    }
    // The handle lives in the method's runtime allocator; destroy() runs its
    // destructor, and the allocator's owner reclaims the memory.
    MemoryAllocator* allocator = context.get_runtime_allocator();
    ET_CHECK_OR_RETURN_ERROR(
        allocator != nullptr,
        InvalidState,
        "%s: init got no runtime allocator",
        kBackendName);
    {{ cookiecutter.class_prefix }}Executor* executor =
        allocator->allocateInstance<{{ cookiecutter.class_prefix }}Executor>();
    ET_CHECK_OR_RETURN_ERROR(
        executor != nullptr,
        MemoryAllocationFailed,
        "%s: the runtime allocator has no room for the delegate",
        kBackendName);
    new (executor)
        {{ cookiecutter.class_prefix }}Executor(std::move(*graph), trace_override(context));
    const Error error =
        executor->prepare(context.get_named_data_map(), *allocator);
    if (error != Error::Ok) {
      executor->~{{ cookiecutter.class_prefix }}Executor();
      return error;
    }
    // Everything the delegate needs was copied out of the blob.
    processed->Free();
    return executor;
  }

  Error execute(
      BackendExecutionContext& context,
      DelegateHandle* handle,
      Span<EValue*> args) const override {
    ET_CHECK_OR_RETURN_ERROR(
        handle != nullptr,
        InvalidState,
        "%s: execute called without a delegate",
        kBackendName);
    auto* executor = static_cast<{{ cookiecutter.class_prefix }}Executor*>(handle);
    const bool trace = executor->trace_override().value_or(trace_enabled());
    const Error error = executor->execute(args, trace, context.event_tracer());
    if (error == Error::Ok) {
      executed_ops_.fetch_add(executor->num_ops(), std::memory_order_relaxed);
    }
    return error;
  }

  void destroy(DelegateHandle* handle) const override {
    // HARDWARE-INTEGRATION: device resources owned by the executor (compiled
    // graph, device buffers) are released by its destructor.
    if (handle != nullptr) {
      static_cast<{{ cookiecutter.class_prefix }}Executor*>(handle)->~{{ cookiecutter.class_prefix }}Executor();
    }
  }

  Error set_option(
      BackendOptionContext& context,
      const Span<BackendOption>& options) override {
    (void)context;
    for (const BackendOption& option : options) {
      if (std::strcmp(option.key, kTraceOption) == 0) {
        const bool* value = std::get_if<bool>(&option.value);
        if (value == nullptr) {
          ET_LOG(
              Error,
              "%s: option '%s' must be a bool",
              kBackendName,
              kTraceOption);
          return Error::InvalidArgument;
        }
        trace_.store(*value ? kTraceOn : kTraceOff, std::memory_order_relaxed);
      } else if (std::strcmp(option.key, kExecutedOpsOption) == 0) {
        ET_LOG(
            Error,
            "%s: option '%s' is read-only",
            kBackendName,
            kExecutedOpsOption);
        return Error::InvalidArgument;
      } else {
        ET_LOG(Error, "%s: unknown option '%s'", kBackendName, option.key);
        return Error::NotFound;
      }
    }
    return Error::Ok;
  }

  Error get_option(BackendOptionContext& context, Span<BackendOption>& options)
      override {
    (void)context;
    for (BackendOption& option : options) {
      if (std::strcmp(option.key, kTraceOption) == 0) {
        option.value = trace_enabled();
      } else if (std::strcmp(option.key, kExecutedOpsOption) == 0) {
        const uint64_t count = executed_ops_.load(std::memory_order_relaxed);
        option.value =
            count > uint64_t(INT_MAX) ? INT_MAX : static_cast<int>(count);
      } else {
        ET_LOG(Error, "%s: unknown option '%s'", kBackendName, option.key);
        return Error::NotFound;
      }
    }
    return Error::Ok;
  }

 private:
  static constexpr int kTraceUnset = -1;
  static constexpr int kTraceOff = 0;
  static constexpr int kTraceOn = 1;

  // Until set_option sets it, "trace" defaults to {{ cookiecutter.__slug_upper }}_TRACE, read
  // the first time a delegate is initialized or the option is used.
  void resolve_trace_default() const {
    int expected = kTraceUnset;
    trace_.compare_exchange_strong(
        expected,
        trace_enabled_by_environment() ? kTraceOn : kTraceOff,
        std::memory_order_relaxed);
  }
  bool trace_enabled() const {
    resolve_trace_default();
    return trace_.load(std::memory_order_relaxed) == kTraceOn;
  }

  // The method's load-time runtime spec "trace", if the application gave one.
  static std::optional<bool> trace_override(const BackendInitContext& context) {
    Result<bool> value = context.get_runtime_spec<bool>(kTraceOption);
    if (value.ok()) {
      return *value;
    }
    return std::nullopt;
  }

  // kTraceUnset, kTraceOff or kTraceOn; mutable because init(), execute()
  // and get_option() resolve the environment's default on first use.
  mutable std::atomic<int> trace_{kTraceUnset};
  // execute() is const in the interface; counting is not observable state.
  mutable std::atomic<uint64_t> executed_ops_{0};
};

namespace {

{{ cookiecutter.class_prefix }}Backend backend_instance;
Backend backend_registration{kBackendName, &backend_instance};

Error register_this_backend() {
  const Error error =
      executorch::runtime::register_backend(backend_registration);
  if (error != Error::Ok) {
    // Typically a second copy of the library (another build of it) loaded
    // into the same process; the first copy stays registered.
    ET_LOG(
        Error,
        "%s: registration failed (error 0x%x)",
        kBackendName,
        static_cast<unsigned>(error));
  }
  return error;
}

// Runs when the library is loaded: a shared library on dlopen, a static one
// only if the linker kept it (whole-archive, see CMakeLists.txt).
[[maybe_unused]] const Error registered = register_this_backend();

// Copies a C string key into an option, refusing keys that do not fit.
bool make_option(const char* key, BackendOption* option) {
  if (key == nullptr ||
      std::strlen(key) >= executorch::runtime::kMaxOptionKeyLength) {
    return false;
  }
  std::strncpy(option->key, key, executorch::runtime::kMaxOptionKeyLength - 1);
  return true;
}

template <typename T>
int get_typed_option(const char* key, int* out) {
  BackendOption option;
  if (out == nullptr || !make_option(key, &option)) {
    return static_cast<int>(Error::InvalidArgument);
  }
  // Seed the slot with the requested type so that a key of another type is
  // reported instead of being converted.
  option.value = T{};
  const Error error = executorch::runtime::get_option(
      kBackendName, Span<BackendOption>(&option, 1));
  if (error != Error::Ok) {
    return static_cast<int>(error);
  }
  const T* value = std::get_if<T>(&option.value);
  if (value == nullptr) {
    return static_cast<int>(Error::InvalidArgument);
  }
  *out = static_cast<int>(*value);
  return static_cast<int>(Error::Ok);
}

} // namespace

} // namespace {{ cookiecutter.__cpp_namespace }}

extern "C" {

int {{ cookiecutter.backend_slug }}_set_bool_option(const char* key, int value) {
  using namespace {{ cookiecutter.__cpp_namespace }};
  BackendOption option;
  if (!make_option(key, &option)) {
    return static_cast<int>(Error::InvalidArgument);
  }
  option.value = value != 0;
  return static_cast<int>(executorch::runtime::set_option(
      kBackendName, Span<BackendOption>(&option, 1)));
}

int {{ cookiecutter.backend_slug }}_get_bool_option(const char* key, int* value) {
  return {{ cookiecutter.__cpp_namespace }}::get_typed_option<bool>(key, value);
}

int {{ cookiecutter.backend_slug }}_get_int_option(const char* key, int* value) {
  return {{ cookiecutter.__cpp_namespace }}::get_typed_option<int>(key, value);
}

} // extern "C"
