{{ cookiecutter.__cpp_license_header }}

// Deterministic mutation fuzzing of parse_graph(), meant to run under ASan
// and UBSan ({{ cookiecutter.__slug_upper }}_ENABLE_SANITIZERS). Valid blobs are corrupted at random
// (bytes, whole fields with boundary values, truncation, extension), and:
//  * the parser must never crash or read out of bounds, and
//  * whatever it accepts must be safe to execute: every accepted graph is
//    run through the reference kernels on buffers of exactly the declared
//    sizes, so an unchecked shape shows up as a sanitizer error.
//
// Seeds: three blobs built here, plus every *.bin file of the folder named by
// the first argument or by ${{ cookiecutter.__slug_upper }}_FUZZ_SEEDS (real blobs written by
// scripts/make_fuzz_seeds.py). ${{ cookiecutter.__slug_upper }}_FUZZ_MUTATIONS sets the total
// number of mutations (default 40000, shared out among the seeds).

#include "blob_builder.h"
#include "graph_runner.h"
#include "test_harness.h"

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

using namespace {{ cookiecutter.__cpp_namespace }};
using blob_test::BlobBuilder;
using graph_runner::execute;
using graph_runner::kMaxBytesToExecute;
using graph_runner::total_bytes;

namespace {

constexpr size_t kDefaultMutations = 40000;
constexpr size_t kMinMutationsPerSeed = 500;

// Set by main() from argv[1], else from the environment.
std::string& seed_folder() {
  static std::string folder;
  return folder;
}

size_t total_mutations() {
  const char* value = std::getenv("{{ cookiecutter.__slug_upper }}_FUZZ_MUTATIONS");
  if (value == nullptr || *value == '\0') {
    return kDefaultMutations;
  }
  return static_cast<size_t>(std::strtoull(value, nullptr, 10));
}

// The *.bin files of the seed folder, in name order (so runs are repeatable).
std::vector<std::vector<uint8_t>> folder_seeds(const std::string& folder) {
  std::vector<std::filesystem::path> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".bin") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::vector<uint8_t>> seeds;
  for (const auto& path : paths) {
    std::ifstream file(path, std::ios::binary);
    seeds.emplace_back(
        std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return seeds;
}

std::vector<std::vector<uint8_t>> seed_blobs() {
  std::vector<std::vector<uint8_t>> seeds;
  seeds.push_back(blob_test::small_mlp_builder().build());

  BlobBuilder broadcast;
  const uint32_t a = broadcast.input({2, 1, 3});
  const uint32_t b = broadcast.input({4, 1});
  const uint32_t c = broadcast.constant({3}, "c");
  const uint32_t sum = broadcast.op(
      OpCode::Sub, {a, b}, {2, 4, 3}, {blob_test::float_attr(0.5)});
  const uint32_t prod = broadcast.op(OpCode::Div, {sum, c}, {2, 4, 3});
  broadcast.output(broadcast.op(
      OpCode::Clamp,
      {prod},
      {2, 4, 3},
      {blob_test::float_attr(-1.0), blob_test::float_attr(1.0)},
      "clamp"));
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

  // An absent optional operand and quantized tensors (per tensor and per
  // channel), so mutations reach the refs marker and the qparams.
  BlobBuilder optional;
  const uint32_t in = optional.input({3, 4});
  const uint32_t w = optional.constant({2, 4}, "w");
  const uint32_t q = optional.input({2, 3}, 1);
  optional.quantize(q, {0.5f}, {-3});
  const uint32_t qc = optional.constant({3, 2}, "qc", 0);
  optional.quantize(qc, {0.25f, 0.5f, 1.0f}, {0, 128, 255}, 0);
  optional.output(optional.op(
      OpCode::Linear, {in, w, blob_test::kNoTensor}, {3, 2}, {}, "fc"));
  optional.output(q);
  optional.output(qc);
  seeds.push_back(optional.build());

  // Bounded dynamic dimensions (batch and sequence) through broadcasting,
  // a matmul and a reduction, so mutations reach dynamic_dims and the
  // runner also executes the graph at smaller sizes.
  BlobBuilder dynamic;
  const uint32_t seq = dynamic.input({4, 6, 3});
  const uint32_t bias = dynamic.constant({3}, "bias");
  const uint32_t shifted = dynamic.op(
      OpCode::Add, {seq, bias}, {4, 6, 3}, {blob_test::float_attr(1.0)});
  const uint32_t weights = dynamic.constant({2, 3}, "weights");
  const uint32_t projected = dynamic.op(
      OpCode::Linear, {shifted, weights, blob_test::kNoTensor}, {4, 6, 2});
  const uint32_t pooled = dynamic.op(
      OpCode::Sum,
      {projected},
      {4, 2},
      {blob_test::ints_attr({1}), blob_test::bool_attr(false)});
  for (const uint32_t id : {seq, shifted, projected}) {
    dynamic.dynamic_dims(id, 0x3);
  }
  dynamic.dynamic_dims(pooled, 0x1);
  dynamic.output(pooled);
  dynamic.output(projected);
  seeds.push_back(dynamic.build());
  return seeds;
}

uint32_t interesting_value(std::mt19937& rng, size_t blob_size) {
  static const uint32_t values[] = {
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      11,
      12,
      16,
      40,
      64,
      0x7F,
      0xFF,
      0xFFFF,
      kMaxOpCode,
      kMaxOpCode + 1,
      0x7FF00000 /* high word of +inf */,
      0x7FF80000 /* of NaN */,
      0x7FFFFFFF,
      0x80000000,
      0xFFFFFFFE,
      0xFFFFFFFF};
  std::uniform_int_distribution<size_t> pick(0, std::size(values));
  const size_t index = pick(rng);
  return index == std::size(values) ? static_cast<uint32_t>(blob_size)
                                    : values[index];
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
  if (blob.size() >= 64 && rng() % 5 != 0) {
    blob_test::set_u64(blob, blob_test::kTotalSizeField, blob.size());
  }
  return blob;
}

} // namespace

TEST(built_in_seeds_are_valid_blobs) {
  for (const std::vector<uint8_t>& seed : seed_blobs()) {
    std::string error;
    if (!parse_graph(seed.data(), seed.size(), &error).ok()) {
      CHECK_EQ(error, std::string("(a seed must parse)"));
    }
  }
}

TEST(seed_folder_holds_valid_real_blobs) {
  if (seed_folder().empty()) {
    std::printf("  no seed folder given; using the built-in seeds only\n");
    return;
  }
  const std::vector<std::vector<uint8_t>> seeds = folder_seeds(seed_folder());
  std::printf("  %zu seeds in %s\n", seeds.size(), seed_folder().c_str());
  // A folder that was asked for but is empty means the seed script failed.
  CHECK(!seeds.empty());
  for (const std::vector<uint8_t>& seed : seeds) {
    std::string error;
    if (!parse_graph(seed.data(), seed.size(), &error).ok()) {
      CHECK_EQ(error, std::string("(a seed must parse)"));
    }
  }
}

TEST(mutated_blobs_never_crash_and_accepted_ones_execute_safely) {
  std::vector<std::vector<uint8_t>> seeds = seed_blobs();
  if (!seed_folder().empty()) {
    for (std::vector<uint8_t>& seed : folder_seeds(seed_folder())) {
      seeds.push_back(std::move(seed));
    }
  }
  const size_t per_seed =
      std::max(kMinMutationsPerSeed, total_mutations() / seeds.size());
  std::mt19937 rng(20240607);
  size_t refused = 0;
  size_t accepted = 0;
  size_t executed = 0;
  for (const std::vector<uint8_t>& seed : seeds) {
    std::string seed_error;
    if (!parse_graph(seed.data(), seed.size(), &seed_error).ok()) {
      continue; // reported by seed_folder_holds_valid_real_blobs
    }
    for (size_t i = 0; i < per_seed; ++i) {
      const std::vector<uint8_t> blob = mutate(seed, rng);
      std::string error;
      const auto result = parse_graph(blob.data(), blob.size(), &error);
      if (!result.ok()) {
        CHECK(!error.empty());
        ++refused;
        continue;
      }
      ++accepted;
      const Graph& graph = result.get();
      if (total_bytes(graph) <= kMaxBytesToExecute) {
        execute(graph);
        ++executed;
      }
    }
  }
  std::printf(
      "  %zu seeds x %zu mutations: %zu refused, %zu accepted, %zu executed\n",
      seeds.size(),
      per_seed,
      refused,
      accepted,
      executed);
  // Both outcomes must occur, or the mutations are not exercising the parser.
  CHECK(refused > 1000);
  CHECK(accepted > 10);
}

int main(int argc, char** argv) {
  if (argc > 1) {
    seed_folder() = argv[1];
  } else if (const char* folder = std::getenv("{{ cookiecutter.__slug_upper }}_FUZZ_SEEDS")) {
    seed_folder() = folder;
  }
  return test_harness::run_all_tests();
}
