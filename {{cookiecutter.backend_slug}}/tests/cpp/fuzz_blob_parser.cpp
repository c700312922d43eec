// libFuzzer target for the delegate blob parser: every input is parsed, and a
// blob that parses is executed through the reference kernels on buffers of
// exactly the declared sizes, so an unchecked size or index becomes an ASan
// report. Built by -D{{ cookiecutter.__slug_upper }}_BUILD_FUZZER=ON with Clang; see
// docs/guides/{{ cookiecutter.backend_slug }}-fuzzing-guide.md for how to run it.

#include "graph_runner.h"

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace {{ cookiecutter.__cpp_namespace }};
  const ParseResult result = parse_graph(data, size);
  if (const auto* error = std::get_if<ParseError>(&result)) {
    // Every refusal must say why.
    if (error->message.empty()) {
      std::abort();
    }
    return 0;
  }
  const Graph& graph = std::get<Graph>(result);
  if (graph_runner::total_elements(graph) <= graph_runner::kMaxElementsToExecute) {
    graph_runner::execute(graph);
  }
  return 0;
}
