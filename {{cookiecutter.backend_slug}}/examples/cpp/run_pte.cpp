{{ cookiecutter.__cpp_license_header }}

// Runs a .pte with the {{ cookiecutter.backend_name | comment_text }} backend linked in.
//
// Loads the program with ExecuTorch's Module API, feeds every input either
// ones or the raw float32 contents of a file, runs the method and prints the
// outputs, then how many ops the backend executed (0 means nothing was
// delegated to it).
//
//   {{ cookiecutter.backend_slug }}_run_pte model.pte [--method forward] [--input x.bin]... [--all]
//       [--iterations N]
//
// An input file holds the tensor's values as little-endian float32, in
// row-major order, e.g. numpy's `array.astype("<f4").tofile("x.bin")`.
//
// --iterations N runs the method N more times after the first run and prints
// the median wall time of one call (for benchmarks; the output is unchanged).

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Backend.h>

#include <executorch/extension/module/module.h>
#include <executorch/extension/tensor/tensor.h>
#include <executorch/runtime/backend/interface.h>
#include <executorch/runtime/backend/options.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using executorch::aten::ScalarType;
using {{ cookiecutter.__cpp_namespace }}::kBackendName;
using {{ cookiecutter.__cpp_namespace }}::kExecutedOpsOption;
using executorch::extension::Module;
using executorch::extension::TensorPtr;
using executorch::runtime::BackendOptions;
using executorch::runtime::EValue;
using executorch::runtime::Tag;

namespace {

constexpr size_t kValuesShownByDefault = 16;

struct Arguments {
  std::string model;
  std::string method = "forward";
  std::vector<std::string> inputs;
  bool print_all = false;
  long iterations = 0;
};

int usage(const char* program) {
  std::fprintf(
      stderr,
      "usage: %s model.pte [--method NAME] [--input FILE]... [--all] [--iterations N]\n"
      "  --method NAME  method to run (default: forward)\n"
      "  --input FILE   raw float32 values for the next input (default: ones)\n"
      "  --all          print every output value, not only the first %zu\n"
      "  --iterations N then time N more calls and print the median\n",
      program,
      kValuesShownByDefault);
  return 2;
}

bool parse_arguments(int argc, char** argv, Arguments* args) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--method" && i + 1 < argc) {
      args->method = argv[++i];
    } else if (arg == "--input" && i + 1 < argc) {
      args->inputs.push_back(argv[++i]);
    } else if (arg == "--iterations" && i + 1 < argc) {
      char* end = nullptr;
      args->iterations = std::strtol(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0' || args->iterations < 1) {
        return false;
      }
    } else if (arg == "--all") {
      args->print_all = true;
    } else if (!arg.empty() && arg[0] != '-' && args->model.empty()) {
      args->model = arg;
    } else {
      return false;
    }
  }
  return !args->model.empty();
}

bool read_floats(
    const std::string& path,
    size_t count,
    std::vector<float>* values) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) {
    std::fprintf(stderr, "cannot open input file %s\n", path.c_str());
    return false;
  }
  const auto size = static_cast<size_t>(file.tellg());
  if (size != count * sizeof(float)) {
    std::fprintf(
        stderr,
        "%s holds %zu bytes; the input needs %zu float32 values (%zu bytes)\n",
        path.c_str(),
        size,
        count,
        count * sizeof(float));
    return false;
  }
  values->resize(count);
  file.seekg(0);
  file.read(
      reinterpret_cast<char*>(values->data()),
      static_cast<std::streamsize>(size));
  return static_cast<bool>(file);
}

int executed_ops() {
  BackendOptions<1> options;
  options.set_option(kExecutedOpsOption, 0);
  int count = 0;
  if (executorch::runtime::get_option(kBackendName, options.view()) ==
      executorch::runtime::Error::Ok) {
    options.get_option(kExecutedOpsOption, count);
  }
  return count;
}

void print_tensor(
    size_t index,
    const executorch::aten::Tensor& tensor,
    bool print_all) {
  if (tensor.scalar_type() == ScalarType::Float) {
    std::printf("output %zu: float32, shape [", index);
  } else {
    std::printf(
        "output %zu: dtype %d, shape [",
        index,
        static_cast<int>(tensor.scalar_type()));
  }
  for (executorch::aten::SizesType d = 0; d < tensor.dim(); ++d) {
    std::printf("%s%d", d == 0 ? "" : ", ", static_cast<int>(tensor.size(d)));
  }
  std::printf("]\n");
  if (tensor.scalar_type() != ScalarType::Float) {
    std::printf("  (values not shown: not float32)\n");
    return;
  }
  const float* data = tensor.const_data_ptr<float>();
  const size_t count = static_cast<size_t>(tensor.numel());
  const size_t shown =
      print_all ? count : std::min(count, kValuesShownByDefault);
  std::printf(" ");
  for (size_t i = 0; i < shown; ++i) {
    std::printf(" %.9g", data[i]);
  }
  std::printf("%s\n", shown < count ? " ..." : "");
}

} // namespace

int main(int argc, char** argv) {
  Arguments args;
  if (!parse_arguments(argc, argv, &args)) {
    return usage(argv[0]);
  }

  Module module(args.model);
  const auto meta = module.method_meta(args.method);
  if (!meta.ok()) {
    std::fprintf(
        stderr,
        "cannot read method '%s' of %s (error 0x%x)\n",
        args.method.c_str(),
        args.model.c_str(),
        static_cast<unsigned>(meta.error()));
    return 1;
  }
  const size_t num_inputs = meta->num_inputs();
  if (!args.inputs.empty() && args.inputs.size() != num_inputs) {
    std::fprintf(
        stderr,
        "%zu --input files given, the method takes %zu inputs\n",
        args.inputs.size(),
        num_inputs);
    return 1;
  }

  // Storage first, so the tensors' data pointers stay valid.
  std::vector<std::vector<float>> storage(num_inputs);
  std::vector<TensorPtr> tensors;
  std::vector<EValue> inputs;
  for (size_t i = 0; i < num_inputs; ++i) {
    const auto tag = meta->input_tag(i);
    const auto info = meta->input_tensor_meta(i);
    if (!tag.ok() || *tag != Tag::Tensor || !info.ok() ||
        info->scalar_type() != ScalarType::Float) {
      std::fprintf(
          stderr,
          "input %zu is not a float32 tensor; this runner feeds only those\n",
          i);
      return 1;
    }
    std::vector<executorch::aten::SizesType> sizes(
        info->sizes().begin(), info->sizes().end());
    size_t numel = 1;
    for (auto size : sizes) {
      numel *= static_cast<size_t>(size);
    }
    if (args.inputs.empty()) {
      storage[i].assign(numel, 1.0f);
    } else if (!read_floats(args.inputs[i], numel, &storage[i])) {
      return 1;
    }
    tensors.push_back(
        executorch::extension::from_blob(storage[i].data(), sizes));
    inputs.emplace_back(*tensors.back());
  }

  const int ops_before = executed_ops();
  const auto outputs = module.execute(args.method, inputs);
  if (!outputs.ok()) {
    std::fprintf(
        stderr,
        "method '%s' failed (error 0x%x)\n",
        args.method.c_str(),
        static_cast<unsigned>(outputs.error()));
    return 1;
  }
  for (size_t i = 0; i < outputs->size(); ++i) {
    const EValue& value = (*outputs)[i];
    if (value.isTensor()) {
      print_tensor(i, value.toTensor(), args.print_all);
    } else {
      std::printf(
          "output %zu: not a tensor (tag %d)\n",
          i,
          static_cast<int>(value.tag));
    }
  }
  std::printf(
      "%s executed %d ops\n", kBackendName, executed_ops() - ops_before);

  if (args.iterations > 0) {
    std::vector<double> micros;
    micros.reserve(static_cast<size_t>(args.iterations));
    for (long i = 0; i < args.iterations; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const auto result = module.execute(args.method, inputs);
      const auto stop = std::chrono::steady_clock::now();
      if (!result.ok()) {
        std::fprintf(
            stderr,
            "method '%s' failed on iteration %ld (error 0x%x)\n",
            args.method.c_str(),
            i,
            static_cast<unsigned>(result.error()));
        return 1;
      }
      micros.push_back(
          std::chrono::duration<double, std::micro>(stop - start).count());
    }
    std::sort(micros.begin(), micros.end());
    const size_t n = micros.size();
    const double median =
        n % 2 ? micros[n / 2] : (micros[n / 2 - 1] + micros[n / 2]) / 2;
    std::printf("per-call median: %.3f us over %zu calls\n", median, n);
  }
  return 0;
}
