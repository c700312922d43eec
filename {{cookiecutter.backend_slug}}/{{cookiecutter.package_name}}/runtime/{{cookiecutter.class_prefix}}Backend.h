{{ cookiecutter.__cpp_license_header }}

// Public interface of the {{ cookiecutter.backend_name | comment_text }} ExecuTorch backend.
//
// The backend registers itself under kBackendName when its library is
// loaded, so an application only has to link it (see CMakeLists.txt for the
// link options that keep the registration). This header names the runtime
// options, which an application sets through ExecuTorch's generic API:
//
//   executorch::runtime::BackendOptions<1> options;
//   options.set_option("trace", true);
//   executorch::runtime::set_option(kBackendName, options.view());
//
// and declares C entry points for hosts that cannot call that C++ API, such
// as Python through ctypes (used by the package's runtime module).
#pragma once

#if defined(_WIN32)
#define {{ cookiecutter.__slug_upper }}_EXPORT __declspec(dllexport)
#else
#define {{ cookiecutter.__slug_upper }}_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
namespace {{ cookiecutter.__cpp_namespace }} {

// The registration name; equal to the Python BackendDetails class name that
// the .pte records for each delegate.
inline constexpr char kBackendName[] = "{{ cookiecutter.__backend_id }}";

// bool, read/write. Log every executed op (with its name when the blob kept
// names) at Info level. The environment variable {{ cookiecutter.__slug_upper }}_TRACE=1
// turns it on at load time. May also be passed per method as a load-time
// runtime spec, which then overrides the global value for that method.
inline constexpr char kTraceOption[] = "trace";

// int, read-only. Number of ops the backend has executed since the library
// was loaded, over all delegates and threads (saturates at INT_MAX). Lets a
// test prove that a model really ran on the delegate.
inline constexpr char kExecutedOpsOption[] = "executed_ops";

} // namespace {{ cookiecutter.__cpp_namespace }}

extern "C" {
#endif

// Each returns 0 (executorch Error::Ok) on success, otherwise the Error code:
// NotFound for an unknown key, InvalidArgument for a key of another type.
// They go through executorch::runtime::set_option/get_option, exactly like
// a C++ application would.
{{ cookiecutter.__slug_upper }}_EXPORT int {{ cookiecutter.backend_slug }}_set_bool_option(const char* key, int value);
{{ cookiecutter.__slug_upper }}_EXPORT int {{ cookiecutter.backend_slug }}_get_bool_option(const char* key, int* value);
{{ cookiecutter.__slug_upper }}_EXPORT int {{ cookiecutter.backend_slug }}_get_int_option(const char* key, int* value);

#ifdef __cplusplus
} // extern "C"
#endif
