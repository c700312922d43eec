{{ cookiecutter.__cpp_license_header }}

// libFuzzer target for the delegate blob parser: every input is parsed, and a
// blob that parses is executed through the kernel table on buffers of exactly
// the declared sizes, so an unchecked size or index becomes an ASan report.
// Built by -D{{ cookiecutter.__slug_upper }}_BUILD_FUZZER=ON with Clang; see
// docs/guides/{{ cookiecutter.backend_slug }}-fuzzing-guide.md for how to run it.

#include "graph_runner.h"

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace {{ cookiecutter.__cpp_namespace }};
  std::string error;
  const auto result = parse_graph(data, size, &error);
  if (!result.ok()) {
    // Every refusal must say why.
    if (error.empty()) {
      std::abort();
    }
    return 0;
  }
  const Graph& graph = result.get();
  if (graph_runner::total_bytes(graph) <= graph_runner::kMaxBytesToExecute) {
    graph_runner::execute(graph);
  }
  return 0;
}
