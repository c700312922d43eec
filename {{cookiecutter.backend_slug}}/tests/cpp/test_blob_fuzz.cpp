// Deterministic mutation fuzzing of parse_graph(), meant to run under ASan
// and UBSan ({{ cookiecutter.__slug_upper }}_ENABLE_SANITIZERS). Valid blobs are corrupted at random
// (bytes, whole fields with boundary values, truncation, extension), and:
//  * the parser must never crash or read out of bounds, and
//  * whatever it accepts must be safe to execute: every accepted graph is
//    run through the reference kernels on buffers of exactly the declared
//    sizes, so an unchecked shape shows up as a sanitizer error.

#include "blob_builder.h"
#include "test_harness.h"

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>
#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Kernels.h>

#include <iterator>
#include <random>

using namespace {{ cookiecutter.__cpp_namespace }};
using blob_test::BlobBuilder;

namespace {

constexpr int kMutationsPerSeed = 6000;
constexpr size_t kMaxElementsToExecute = size_t(1) << 20;

std::vector<std::vector<uint8_t>> seed_blobs() {
  std::vector<std::vector<uint8_t>> seeds;
  seeds.push_back(blob_test::small_mlp_builder().build());

  BlobBuilder broadcast;
  const uint32_t a = broadcast.input({2, 1, 3});
  const uint32_t b = broadcast.input({4, 1});
  const uint32_t c = broadcast.constant({3}, "c");
  const uint32_t sum = broadcast.op(OpCode::Sub, {a, b}, {2, 4, 3}, 0.5f);
  const uint32_t prod = broadcast.op(OpCode::Div, {sum, c}, {2, 4, 3});
  broadcast.output(broadcast.op(OpCode::Clamp, {prod}, {2, 4, 3}, -1.0f, 1.0f, "clamp"));
  broadcast.output(sum);
  seeds.push_back(broadcast.build());

  BlobBuilder matmul;
  const uint32_t x = matmul.input({2, 3, 4});
  const uint32_t y = matmul.input({2, 4, 5});
  const uint32_t z = matmul.op(OpCode::Bmm, {x, y}, {2, 3, 5});
  const uint32_t m = matmul.input({5, 2});
  const uint32_t flat = matmul.input({3, 5});
  const uint32_t t = matmul.op(OpCode::Tanh, {flat}, {3, 5});
  matmul.output(matmul.op(OpCode::Mm, {t, m}, {3, 2}));
  matmul.output(matmul.op(OpCode::Mul, {z, z}, {2, 3, 5}));
  seeds.push_back(matmul.build());
  return seeds;
}

uint32_t interesting_value(std::mt19937& rng, size_t blob_size) {
  static const uint32_t values[] = {
      0, 1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 40, 48, 0x7F, 0xFF, 0xFFFF,
      0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF};
  std::uniform_int_distribution<size_t> pick(0, std::size(values));
  const size_t index = pick(rng);
  return index == std::size(values) ? static_cast<uint32_t>(blob_size) : values[index];
}

std::vector<uint8_t> mutate(std::vector<uint8_t> blob, std::mt19937& rng) {
  std::uniform_int_distribution<int> kind(0, 9);
  const int mutations = 1 + kind(rng) % 3;
  for (int i = 0; i < mutations && !blob.empty(); ++i) {
    std::uniform_int_distribution<size_t> position(0, blob.size() - 1);
    switch (kind(rng)) {
      case 0:
      case 1:
      case 2: // one random byte
        blob[position(rng)] = static_cast<uint8_t>(rng());
        break;
      case 3:
      case 4:
      case 5:
      case 6: { // one aligned field, boundary value
        const size_t offset = position(rng) / 4 * 4;
        if (offset + 4 <= blob.size()) {
          blob_test::set_u32(blob, offset, interesting_value(rng, blob.size()));
        }
        break;
      }
      case 7: // truncate
        blob.resize(position(rng));
        break;
      case 8: // extend
        blob.resize(blob.size() + 1 + rng() % 64, static_cast<uint8_t>(rng()));
        break;
      default: // flip one bit
        blob[position(rng)] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
    }
  }
  // Usually keep total_size consistent, so the deeper checks are reached.
  if (blob.size() >= 48 && rng() % 5 != 0) {
    blob_test::set_u32(blob, 40, static_cast<uint32_t>(blob.size()));
    blob_test::set_u32(blob, 44, 0);
  }
  return blob;
}

size_t total_elements(const Graph& graph) {
  size_t total = 0;
  for (const TensorInfo& tensor : graph.tensors) {
    if (tensor.numel > kMaxElementsToExecute - total) {
      return kMaxElementsToExecute + 1;
    }
    total += tensor.numel;
  }
  return total;
}

// Runs an accepted graph on buffers of exactly the declared sizes.
void execute(const Graph& graph) {
  std::vector<std::vector<float>> data(graph.tensors.size());
  for (size_t id = 0; id < graph.tensors.size(); ++id) {
    data[id].assign(graph.tensors[id].numel, 0.5f);
  }
  for (const Op& op : graph.ops) {
    const TensorInfo& out = graph.tensors[op.output];
    const TensorInfo& a = graph.tensors[op.inputs[0]];
    float* o = data[op.output].data();
    const float* x = data[op.inputs[0]].data();
    switch (op.opcode) {
      case OpCode::Add:
      case OpCode::Sub:
      case OpCode::Mul:
      case OpCode::Div: {
        const auto kind = op.opcode == OpCode::Add ? kernels::BinaryOp::Add
            : op.opcode == OpCode::Sub             ? kernels::BinaryOp::Sub
            : op.opcode == OpCode::Mul             ? kernels::BinaryOp::Mul
                                                   : kernels::BinaryOp::Div;
        kernels::binary(
            kind, x, a.shape, data[op.inputs[1]].data(), graph.tensors[op.inputs[1]].shape, o, out.shape, op.params[0]);
        break;
      }
      case OpCode::Relu:
        kernels::unary(kernels::UnaryOp::Relu, x, o, out.numel);
        break;
      case OpCode::Sigmoid:
        kernels::unary(kernels::UnaryOp::Sigmoid, x, o, out.numel);
        break;
      case OpCode::Tanh:
        kernels::unary(kernels::UnaryOp::Tanh, x, o, out.numel);
        break;
      case OpCode::Clamp:
        kernels::clamp(x, o, out.numel, op.params[0], op.params[1]);
        break;
      case OpCode::Linear: {
        const Shape& w = graph.tensors[op.inputs[1]].shape;
        size_t rows = 1;
        for (uint32_t d = 0; d + 1 < a.shape.rank; ++d) {
          rows *= a.shape.sizes[d];
        }
        const float* bias = op.num_inputs == 3 ? data[op.inputs[2]].data() : nullptr;
        kernels::linear(x, data[op.inputs[1]].data(), bias, o, rows, w.dim(1), w.dim(0));
        break;
      }
      case OpCode::Mm:
        kernels::mm(x, data[op.inputs[1]].data(), o, a.shape.dim(0), a.shape.dim(1), graph.tensors[op.inputs[1]].shape.dim(1));
        break;
      case OpCode::Bmm:
        kernels::bmm(
            x, data[op.inputs[1]].data(), o, a.shape.dim(0), a.shape.dim(1), a.shape.dim(2),
            graph.tensors[op.inputs[1]].shape.dim(2));
        break;
    }
  }
}

} // namespace

TEST(mutated_blobs_never_crash_and_accepted_ones_execute_safely) {
  std::mt19937 rng(20240607);
  size_t refused = 0;
  size_t accepted = 0;
  size_t executed = 0;
  for (const std::vector<uint8_t>& seed : seed_blobs()) {
    CHECK(std::holds_alternative<Graph>(parse_graph(seed.data(), seed.size())));
    for (int i = 0; i < kMutationsPerSeed; ++i) {
      const std::vector<uint8_t> blob = mutate(seed, rng);
      const ParseResult result = parse_graph(blob.data(), blob.size());
      if (const auto* error = std::get_if<ParseError>(&result)) {
        CHECK(!error->message.empty());
        ++refused;
        continue;
      }
      ++accepted;
      const Graph& graph = std::get<Graph>(result);
      if (total_elements(graph) <= kMaxElementsToExecute) {
        execute(graph);
        ++executed;
      }
    }
  }
  std::printf("  %zu refused, %zu accepted, %zu executed\n", refused, accepted, executed);
  // Both outcomes must occur, or the mutations are not exercising the parser.
  CHECK(refused > 1000);
  CHECK(accepted > 10);
}

int main() {
  return test_harness::run_all_tests();
}
