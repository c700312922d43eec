{{ cookiecutter.__cpp_license_header }}

// Exits 0 when the backend registered itself in this binary. Nothing here
// refers to a symbol of the backend library, so only the link options the
// package carries keep it (and its static registration) in the program.

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Backend.h>

#include <executorch/runtime/backend/interface.h>
#include <executorch/runtime/platform/runtime.h>

#include <cstdio>

int main() {
  executorch::runtime::runtime_init();
  const char* name = {{ cookiecutter.__cpp_namespace }}::kBackendName;
  executorch::runtime::BackendInterface* backend =
      executorch::runtime::get_backend_class(name);
  const bool available = backend != nullptr && backend->is_available();
  std::printf("%s %s\n", name, available ? "registered" : "NOT registered");
  return available ? 0 : 1;
}
