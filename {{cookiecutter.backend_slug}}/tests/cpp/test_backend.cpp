{{ cookiecutter.__cpp_license_header }}

// The backend as the ExecuTorch runtime sees it: looked up by name in the
// registry, initialized with a blob and a NamedDataMap, executed with EValue
// arguments, configured through set_option/get_option.

#include "blob_builder.h"
#include "test_harness.h"

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Backend.h>

#include <executorch/runtime/backend/interface.h>
#include <executorch/runtime/core/named_data_map.h>
#include <executorch/runtime/platform/platform.h>
#include <executorch/runtime/platform/runtime.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <map>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define {{ cookiecutter.__slug_upper }}_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define {{ cookiecutter.__slug_upper }}_TEST_ASAN 1
#endif
#ifdef {{ cookiecutter.__slug_upper }}_TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif

using namespace executorch::runtime;
using blob_test::BlobBuilder;
using blob_test::OpCode;
using executorch::aten::ScalarType;
using executorch::aten::Tensor;
using executorch::aten::TensorImpl;
using {{ cookiecutter.__cpp_namespace }}::kBackendName;
using {{ cookiecutter.__cpp_namespace }}::kExecutedOpsOption;
using {{ cookiecutter.__cpp_namespace }}::kTraceOption;

namespace {

// Everything the backend logs, captured through the platform layer.
std::string& captured_log() {
  static std::string log;
  return log;
}

void capture_log(
    et_timestamp_t,
    et_pal_log_level_t,
    const char*,
    const char*,
    size_t,
    const char* message,
    size_t length) {
  captured_log().append(message, length);
  captured_log() += '\n';
}

// Named data served from memory. With misalign set, every entry is handed
// out one byte past an aligned address, as a packed .pte could.
class FakeNamedDataMap final : public NamedDataMap {
 public:
  explicit FakeNamedDataMap(bool misalign = false) : misalign_(misalign) {}

  void add(const std::string& key, const std::vector<float>& values) {
    std::vector<uint8_t>& bytes = entries_[key];
    bytes.assign(values.size() * sizeof(float) + 1, 0);
    std::memcpy(
        bytes.data() + (misalign_ ? 1 : 0),
        values.data(),
        values.size() * sizeof(float));
  }

  Result<const TensorLayout> get_tensor_layout(
      std::string_view) const override {
    return Error::NotImplemented;
  }
  Result<FreeableBuffer> get_data(std::string_view key) const override {
    const auto it = entries_.find(std::string(key));
    if (it == entries_.end()) {
      return Error::NotFound;
    }
    return FreeableBuffer(
        it->second.data() + (misalign_ ? 1 : 0),
        it->second.size() - 1,
        nullptr);
  }
  Error load_data_into(std::string_view, void*, size_t) const override {
    return Error::NotImplemented;
  }
  Result<uint32_t> get_num_keys() const override {
    return static_cast<uint32_t>(entries_.size());
  }
  Result<const char*> get_key(uint32_t index) const override {
    auto it = entries_.begin();
    std::advance(it, index);
    return it->first.c_str();
  }

 private:
  bool misalign_;
  std::map<std::string, std::vector<uint8_t>> entries_;
};

// A float tensor that owns its sizes and data.
struct OwnedTensor {
  OwnedTensor(
      std::vector<int32_t> shape,
      std::vector<float> values,
      ScalarType dtype = ScalarType::Float,
      TensorShapeDynamism dynamism = TensorShapeDynamism::STATIC)
      : sizes(std::move(shape)),
        data(std::move(values)),
        dim_order(sizes.size()),
        impl(
            dtype,
            static_cast<executorch::aten::SizesType>(sizes.size()),
            sizes.data(),
            data.data(),
            dim_order.data(),
            nullptr,
            dynamism) {
    for (size_t i = 0; i < dim_order.size(); ++i) {
      dim_order[i] = static_cast<uint8_t>(i);
    }
  }
  EValue value() {
    return EValue(Tensor(&impl));
  }

  std::vector<int32_t> sizes;
  std::vector<float> data;
  std::vector<uint8_t> dim_order;
  TensorImpl impl;
};

const std::vector<float> kWeight =
    {0.5f, -1.0f, 0.25f, 1.0f, 1.0f, 1.0f, -0.5f, 0.0f, 2.0f, 0.1f, 0.2f, 0.3f};
const std::vector<float> kBias = {0.1f, -0.2f, 0.3f, -0.4f};

// sigmoid(linear(relu(x + b), weight, bias)), computed directly, for the
// rows of x.
std::vector<float> small_mlp_reference(
    const std::vector<float>& x,
    const std::vector<float>& b,
    size_t rows = 2) {
  std::vector<float> out(rows * 4);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t o = 0; o < 4; ++o) {
      double acc = kBias[o];
      for (size_t i = 0; i < 3; ++i) {
        acc += std::max(0.0f, x[r * 3 + i] + b[i]) * kWeight[o * 3 + i];
      }
      out[r * 4 + o] = static_cast<float>(1.0 / (1.0 + std::exp(-acc)));
    }
  }
  return out;
}

FakeNamedDataMap small_mlp_data(bool misalign = false) {
  FakeNamedDataMap data(misalign);
  data.add("weight", kWeight);
  data.add("bias", kBias);
  return data;
}

BackendInterface* backend() {
  return get_backend_class(kBackendName);
}

// Runs init the way Method::init does.
struct Delegate {
  explicit Delegate(
      const std::vector<uint8_t>& blob,
      const NamedDataMap* named_data,
      Span<const BackendOption> runtime_specs = {})
      : processed(blob.data(), blob.size(), nullptr),
        allocator(sizeof(arena), arena),
        context(&allocator, nullptr, "forward", named_data, runtime_specs),
        handle(backend()->init(context, &processed, ArrayRef<CompileSpec>())) {}
  ~Delegate() {
    if (handle.ok()) {
      backend()->destroy(*handle);
    }
  }

  Error execute(std::vector<EValue*> args) {
    BackendExecutionContext execution_context;
    return backend()->execute(
        execution_context, *handle, Span<EValue*>(args.data(), args.size()));
  }

  uint8_t arena[1024];
  FreeableBuffer processed;
  MemoryAllocator allocator;
  BackendInitContext context;
  Result<DelegateHandle*> handle;
};

int executed_ops() {
  BackendOptions<1> options;
  int count = -1;
  options.set_option(kExecutedOpsOption, 0);
  Error error = get_option(kBackendName, options.view());
  CHECK(error == Error::Ok);
  options.get_option(kExecutedOpsOption, count);
  return count;
}

void set_trace(bool enabled) {
  BackendOptions<1> options;
  options.set_option(kTraceOption, enabled);
  CHECK(set_option(kBackendName, options.view()) == Error::Ok);
}

} // namespace

TEST(backend_is_registered_and_available) {
  CHECK(backend() != nullptr);
  CHECK(backend()->is_available());
}

TEST(init_and_execute_compute_the_model) {
  FakeNamedDataMap data = small_mlp_data();
  Delegate delegate(blob_test::small_mlp_builder().build(), &data);
  CHECK(delegate.handle.ok());
  // init keeps nothing from the blob, so it releases it.
  CHECK_EQ(delegate.processed.size(), size_t(0));

  OwnedTensor x({2, 3}, {1.0f, -2.0f, 0.5f, 0.0f, 3.0f, -1.0f});
  OwnedTensor b({3}, {0.5f, 0.5f, -0.25f});
  OwnedTensor out({2, 4}, std::vector<float>(8, -1.0f));
  EValue args[] = {x.value(), b.value(), out.value()};
  // Twice: buffers allocated in init are reused.
  for (int run = 0; run < 2; ++run) {
    CHECK(delegate.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
    const std::vector<float> expected = small_mlp_reference(x.data, b.data);
    for (size_t i = 0; i < 8; ++i) {
      CHECK_NEAR(out.data[i], expected[i], 1e-6);
    }
    x.data[0] += 1.0f;
  }
}

TEST(misaligned_constants_are_copied) {
  FakeNamedDataMap data = small_mlp_data(/*misalign=*/true);
  Delegate delegate(blob_test::small_mlp_builder().build(), &data);
  CHECK(delegate.handle.ok());
  OwnedTensor x({2, 3}, {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
  OwnedTensor b({3}, {0.0f, 0.0f, 0.0f});
  OwnedTensor out({2, 4}, std::vector<float>(8));
  EValue args[] = {x.value(), b.value(), out.value()};
  CHECK(delegate.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
  const std::vector<float> expected = small_mlp_reference(x.data, b.data);
  for (size_t i = 0; i < 8; ++i) {
    CHECK_NEAR(out.data[i], expected[i], 1e-6);
  }
}

TEST(missing_or_wrong_constants_fail_init) {
  FakeNamedDataMap missing;
  missing.add("weight", kWeight);
  captured_log().clear();
  Delegate without_bias(blob_test::small_mlp_builder().build(), &missing);
  CHECK(without_bias.handle.error() == Error::NotFound);
  CHECK_CONTAINS(
      captured_log(),
      "constant 'bias' for tensor 3 is not in the program's named data");

  FakeNamedDataMap short_bias;
  short_bias.add("weight", kWeight);
  short_bias.add("bias", {1.0f, 2.0f, 3.0f});
  captured_log().clear();
  Delegate wrong_size(blob_test::small_mlp_builder().build(), &short_bias);
  CHECK(wrong_size.handle.error() == Error::InvalidProgram);
  CHECK_CONTAINS(
      captured_log(), "'bias' has 12 bytes of named data, the blob expects 16");

  captured_log().clear();
  Delegate no_map(blob_test::small_mlp_builder().build(), nullptr);
  CHECK(no_map.handle.error() == Error::InvalidProgram);
  CHECK_CONTAINS(captured_log(), "has no named data");
}

// small_mlp_builder() with a batch dimension bounded by 4 (a model exported
// with torch.export.Dim("batch", max=4)).
std::vector<uint8_t> dynamic_mlp_blob() {
  BlobBuilder builder;
  const uint32_t x = builder.input({4, 3});
  const uint32_t b = builder.input({3});
  const uint32_t w = builder.constant({4, 3}, "weight");
  const uint32_t bias = builder.constant({4}, "bias");
  const uint32_t sum =
      builder.op(OpCode::Add, {x, b}, {4, 3}, {blob_test::float_attr(1.0)});
  const uint32_t act = builder.op(OpCode::Relu, {sum}, {4, 3});
  const uint32_t fc = builder.op(OpCode::Linear, {act, w, bias}, {4, 4});
  const uint32_t out = builder.op(OpCode::Sigmoid, {fc}, {4, 4});
  for (const uint32_t id : {x, sum, act, fc, out}) {
    builder.dynamic_dims(id, 0x1);
  }
  builder.output(out);
  return builder.build();
}

TEST(bounded_dynamic_shapes_run_at_every_size_up_to_the_bound) {
  FakeNamedDataMap data = small_mlp_data();
  Delegate delegate(dynamic_mlp_blob(), &data);
  CHECK(delegate.handle.ok());
  if (!delegate.handle.ok()) {
    return;
  }
  // As ExecuTorch plans it: an output with room for the upper bound.
  OwnedTensor out(
      {4, 4},
      std::vector<float>(16, -1.0f),
      ScalarType::Float,
      TensorShapeDynamism::DYNAMIC_BOUND);
  OwnedTensor b({3}, {0.5f, 0.5f, -0.25f});
  for (const int32_t rows : {1, 3, 4, 2}) {
    std::vector<float> values(rows * 3);
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = 0.3f * static_cast<float>(i) - 1.0f;
    }
    OwnedTensor x({rows, 3}, values);
    EValue args[] = {x.value(), b.value(), out.value()};
    CHECK(delegate.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
    // The delegate resized its output to this call's batch.
    CHECK_EQ(out.impl.size(0), rows);
    CHECK_EQ(out.impl.size(1), 4);
    const std::vector<float> expected =
        small_mlp_reference(x.data, b.data, static_cast<size_t>(rows));
    for (size_t i = 0; i < expected.size(); ++i) {
      CHECK_NEAR(out.data[i], expected[i], 1e-6);
    }
  }
}

// An RNN's zero initial state: full([1, batch, 2]) whose batch entry is a
// dimension reference to dimension 0 of the delegate input (FORMAT.md,
// "Dimension references"), added to a view of the input of the same batch.
TEST(a_dimension_reference_takes_the_size_of_each_call) {
  BlobBuilder builder;
  const uint32_t x = builder.input({4, 2});
  const int64_t batch = -2 - (8 * int64_t(x) + 0);
  const uint32_t state = builder.op(
      OpCode::Full,
      {},
      {1, 4, 2},
      {blob_test::ints_attr({1, batch, 2}), blob_test::float_attr(0.5)});
  const uint32_t rows = builder.op(
      OpCode::ViewCopy, {x}, {1, 4, 2}, {blob_test::ints_attr({1, batch, -1})});
  const uint32_t out = builder.op(
      OpCode::Add, {rows, state}, {1, 4, 2}, {blob_test::float_attr(1.0)});
  builder.dynamic_dims(x, 0x1);
  for (const uint32_t id : {state, rows, out}) {
    builder.dynamic_dims(id, 0x2);
  }
  builder.output(out);
  FakeNamedDataMap data;
  Delegate delegate(builder.build(), &data);
  CHECK(delegate.handle.ok());
  if (!delegate.handle.ok()) {
    return;
  }
  OwnedTensor result(
      {1, 4, 2},
      std::vector<float>(8, -1.0f),
      ScalarType::Float,
      TensorShapeDynamism::DYNAMIC_BOUND);
  for (const int32_t batch_size : {1, 4, 3}) {
    std::vector<float> values(batch_size * 2);
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = static_cast<float>(i);
    }
    OwnedTensor input({batch_size, 2}, values);
    EValue args[] = {input.value(), result.value()};
    CHECK(delegate.execute({&args[0], &args[1]}) == Error::Ok);
    CHECK_EQ(result.impl.size(1), batch_size);
    for (size_t i = 0; i < values.size(); ++i) {
      CHECK_NEAR(result.data[i], values[i] + 0.5f, 1e-6);
    }
  }
}

TEST(dynamic_inputs_are_checked_against_their_bounds) {
  FakeNamedDataMap data = small_mlp_data();
  Delegate delegate(dynamic_mlp_blob(), &data);
  CHECK(delegate.handle.ok());
  if (!delegate.handle.ok()) {
    return;
  }
  OwnedTensor b({3}, {0.5f, 0.5f, -0.25f});
  OwnedTensor out(
      {4, 4},
      std::vector<float>(16),
      ScalarType::Float,
      TensorShapeDynamism::DYNAMIC_BOUND);
  OwnedTensor too_many_rows({5, 3}, std::vector<float>(15));
  OwnedTensor wide({2, 4}, std::vector<float>(8));
  OwnedTensor x({2, 3}, std::vector<float>(6));
  OwnedTensor static_out({4, 4}, std::vector<float>(16));
  EValue args[] = {
      too_many_rows.value(),
      b.value(),
      out.value(),
      wide.value(),
      x.value(),
      static_out.value()};

  captured_log().clear();
  CHECK(
      delegate.execute({&args[0], &args[1], &args[2]}) ==
      Error::InvalidArgument);
  CHECK_CONTAINS(
      captured_log(),
      "delegate input 0 has size 5 in dimension 0, above its upper bound 4");

  captured_log().clear();
  CHECK(
      delegate.execute({&args[3], &args[1], &args[2]}) ==
      Error::InvalidArgument);
  CHECK_CONTAINS(
      captured_log(),
      "delegate input 0 has shape [2, 4], the delegate was built for [4, 3] "
      "(dimension 1 is static)");

  // An output that ExecuTorch did not plan as dynamic cannot take the
  // result of a smaller batch.
  captured_log().clear();
  CHECK(delegate.execute({&args[4], &args[1], &args[5]}) != Error::Ok);
  CHECK_CONTAINS(
      captured_log(), "cannot resize delegate output 0 from [4, 4] to [2, 4]");

  CHECK(delegate.execute({&args[4], &args[1], &args[2]}) == Error::Ok);
}

TEST(inconsistent_dynamic_sizes_are_refused_per_op) {
  // a + b where both have a batch dimension bounded by 4; the blob says the
  // result is [batch, 3].
  BlobBuilder builder;
  const uint32_t a = builder.input({4, 3});
  const uint32_t b = builder.input({4, 3});
  const uint32_t sum =
      builder.op(OpCode::Add, {a, b}, {4, 3}, {blob_test::float_attr(1.0)});
  builder.dynamic_dims(a, 0x1);
  builder.dynamic_dims(b, 0x1);
  builder.dynamic_dims(sum, 0x1);
  builder.output(sum);
  Delegate delegate(builder.build(), nullptr);
  CHECK(delegate.handle.ok());
  if (!delegate.handle.ok()) {
    return;
  }
  OwnedTensor two({2, 3}, std::vector<float>(6, 1.0f));
  OwnedTensor three({3, 3}, std::vector<float>(9, 2.0f));
  OwnedTensor one({1, 3}, {1.0f, 2.0f, 3.0f});
  OwnedTensor out(
      {4, 3},
      std::vector<float>(12),
      ScalarType::Float,
      TensorShapeDynamism::DYNAMIC_BOUND);
  EValue args[] = {two.value(), three.value(), out.value(), one.value()};
  captured_log().clear();
  CHECK(
      delegate.execute({&args[0], &args[1], &args[2]}) ==
      Error::InvalidArgument);
  CHECK_CONTAINS(
      captured_log(),
      "op 0 (add) cannot run on the sizes of this call: input shapes [2, 3] "
      "and [3, 3] do not broadcast");

  // [1, 3] broadcasts against [3, 3], as in PyTorch.
  CHECK(delegate.execute({&args[3], &args[1], &args[2]}) == Error::Ok);
  CHECK_EQ(out.impl.size(0), 3);
  CHECK_EQ(out.data[0], 3.0f);
  CHECK_EQ(out.data[8], 5.0f);

  // The blob declares the result static: a smaller batch would not fill it.
  BlobBuilder static_result;
  const uint32_t c = static_result.input({4, 3});
  static_result.dynamic_dims(c, 0x1);
  static_result.output(static_result.op(OpCode::Relu, {c}, {4, 3}));
  Delegate strict(static_result.build(), nullptr);
  CHECK(strict.handle.ok());
  if (!strict.handle.ok()) {
    return;
  }
  OwnedTensor static_out({4, 3}, std::vector<float>(12));
  EValue strict_args[] = {two.value(), static_out.value()};
  captured_log().clear();
  CHECK(
      strict.execute({&strict_args[0], &strict_args[1]}) ==
      Error::InvalidArgument);
  CHECK_CONTAINS(
      captured_log(),
      "op 0 (relu) would give tensor 1 the shape [2, 3] with the sizes of "
      "this call; the blob plans [4, 3] with dynamic_dims 0x0");
}

TEST(malformed_blobs_fail_init_with_a_message) {
  FakeNamedDataMap data = small_mlp_data();
  std::vector<uint8_t> blob = blob_test::small_mlp_builder().build();
  blob_test::set_u32(blob, 4, 7);
  captured_log().clear();
  Delegate delegate(blob, &data);
  CHECK(delegate.handle.error() == Error::InvalidProgram);
  CHECK_CONTAINS(captured_log(), "invalid delegate blob in method 'forward'");
  CHECK_CONTAINS(
      captured_log(), "format version 7; this runtime reads version 2");

  std::vector<uint8_t> truncated = blob_test::small_mlp_builder().build();
  truncated.resize(truncated.size() / 2);
  captured_log().clear();
  Delegate short_delegate(truncated, &data);
  CHECK(short_delegate.handle.error() == Error::InvalidProgram);
  CHECK_CONTAINS(captured_log(), "truncated");
}

TEST(execute_checks_its_arguments) {
  FakeNamedDataMap data = small_mlp_data();
  Delegate delegate(blob_test::small_mlp_builder().build(), &data);
  CHECK(delegate.handle.ok());
  OwnedTensor x({2, 3}, std::vector<float>(6));
  OwnedTensor b({3}, std::vector<float>(3));
  OwnedTensor out({2, 4}, std::vector<float>(8));
  OwnedTensor transposed({3, 2}, std::vector<float>(6));
  OwnedTensor ints({2, 3}, std::vector<float>(6), ScalarType::Int);
  EValue args[] = {
      x.value(),
      b.value(),
      out.value(),
      transposed.value(),
      ints.value(),
      EValue(int64_t(5))};
  const int before = executed_ops();

  captured_log().clear();
  CHECK(delegate.execute({&args[0], &args[1]}) == Error::InvalidArgument);
  CHECK_CONTAINS(
      captured_log(), "expected 3 arguments (2 inputs and 1 outputs), got 2");

  captured_log().clear();
  CHECK(
      delegate.execute({&args[3], &args[1], &args[2]}) ==
      Error::InvalidArgument);
  CHECK_CONTAINS(
      captured_log(),
      "input 0 has shape [3, 2], the delegate was built for [2, 3]");

  captured_log().clear();
  CHECK(
      delegate.execute({&args[4], &args[1], &args[2]}) ==
      Error::InvalidArgument);
  CHECK_CONTAINS(captured_log(), "input 0 has dtype 3, expected float32");

  captured_log().clear();
  CHECK(
      delegate.execute({&args[0], &args[1], &args[5]}) ==
      Error::InvalidArgument);
  CHECK_CONTAINS(captured_log(), "output 0 is not a tensor");

  CHECK(delegate.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
  // Only the successful run counts.
  CHECK_EQ(executed_ops() - before, 4);
}

TEST(outputs_may_be_inputs_and_may_repeat) {
  BlobBuilder builder;
  const uint32_t x = builder.input({3});
  const uint32_t y = builder.op(OpCode::Relu, {x}, {3});
  builder.output(x);
  builder.output(y);
  builder.output(y);
  Delegate delegate(builder.build(), nullptr);
  CHECK(delegate.handle.ok());
  OwnedTensor in({3}, {-1.0f, 2.0f, -3.0f});
  OwnedTensor out0({3}, std::vector<float>(3));
  OwnedTensor out1({3}, std::vector<float>(3));
  OwnedTensor out2({3}, std::vector<float>(3));
  EValue args[] = {in.value(), out0.value(), out1.value(), out2.value()};
  CHECK(
      delegate.execute({&args[0], &args[1], &args[2], &args[3]}) == Error::Ok);
  for (size_t i = 0; i < 3; ++i) {
    CHECK_EQ(out0.data[i], in.data[i]);
    CHECK_EQ(out1.data[i], std::max(0.0f, in.data[i]));
    CHECK_EQ(out2.data[i], out1.data[i]);
  }
}

TEST(broadcast_and_batched_matmul_graph) {
  // out = bmm(a - 0.5 * c, b) with c [k] broadcast over a [2, 3, k].
  BlobBuilder builder;
  const uint32_t a = builder.input({2, 3, 4});
  const uint32_t b = builder.input({2, 4, 2});
  const uint32_t c = builder.constant({4}, "c");
  const uint32_t d =
      builder.op(OpCode::Sub, {a, c}, {2, 3, 4}, {blob_test::float_attr(0.5)});
  builder.output(builder.op(OpCode::Bmm, {d, b}, {2, 3, 2}));
  FakeNamedDataMap data;
  data.add("c", {1.0f, 2.0f, 3.0f, 4.0f});
  Delegate delegate(builder.build(), &data);
  CHECK(delegate.handle.ok());
  std::vector<float> a_values(24);
  std::vector<float> b_values(16);
  for (size_t i = 0; i < a_values.size(); ++i) {
    a_values[i] = 0.1f * static_cast<float>(i);
  }
  for (size_t i = 0; i < b_values.size(); ++i) {
    b_values[i] = 1.0f - 0.2f * static_cast<float>(i);
  }
  OwnedTensor ta({2, 3, 4}, a_values);
  OwnedTensor tb({2, 4, 2}, b_values);
  OwnedTensor out({2, 3, 2}, std::vector<float>(12));
  EValue args[] = {ta.value(), tb.value(), out.value()};
  CHECK(delegate.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
  for (size_t batch = 0; batch < 2; ++batch) {
    for (size_t n = 0; n < 3; ++n) {
      for (size_t m = 0; m < 2; ++m) {
        double acc = 0.0;
        for (size_t k = 0; k < 4; ++k) {
          const double lhs = a_values[batch * 12 + n * 4 + k] - 0.5 * (1.0 + k);
          acc += lhs * b_values[batch * 8 + k * 2 + m];
        }
        CHECK_NEAR(out.data[batch * 6 + n * 2 + m], acc, 1e-5);
      }
    }
  }
}

TEST(options_round_trip_through_the_registry) {
  set_trace(true);
  BackendOptions<1> read;
  bool trace = false;
  read.set_option(kTraceOption, false);
  CHECK(get_option(kBackendName, read.view()) == Error::Ok);
  read.get_option(kTraceOption, trace);
  CHECK(trace);
  set_trace(false);
  CHECK(get_option(kBackendName, read.view()) == Error::Ok);
  read.get_option(kTraceOption, trace);
  CHECK(!trace);

  BackendOptions<1> wrong_type;
  wrong_type.set_option(kTraceOption, 1);
  CHECK(set_option(kBackendName, wrong_type.view()) == Error::InvalidArgument);
  BackendOptions<1> read_only;
  read_only.set_option(kExecutedOpsOption, 0);
  CHECK(set_option(kBackendName, read_only.view()) == Error::InvalidArgument);
  BackendOptions<1> unknown;
  unknown.set_option("num_threads", 4);
  CHECK(set_option(kBackendName, unknown.view()) == Error::NotFound);
  CHECK(get_option(kBackendName, unknown.view()) == Error::NotFound);
}

TEST(c_entry_points_match_the_cpp_api) {
  int value = -1;
  CHECK_EQ({{ cookiecutter.backend_slug }}_set_bool_option("trace", 1), 0);
  CHECK_EQ({{ cookiecutter.backend_slug }}_get_bool_option("trace", &value), 0);
  CHECK_EQ(value, 1);
  CHECK_EQ({{ cookiecutter.backend_slug }}_set_bool_option("trace", 0), 0);
  CHECK_EQ({{ cookiecutter.backend_slug }}_get_bool_option("trace", &value), 0);
  CHECK_EQ(value, 0);
  CHECK_EQ({{ cookiecutter.backend_slug }}_get_int_option("executed_ops", &value), 0);
  CHECK_EQ(value, executed_ops());
  CHECK_EQ(
      {{ cookiecutter.backend_slug }}_get_int_option("trace", &value), int(Error::InvalidArgument));
  CHECK_EQ(
      {{ cookiecutter.backend_slug }}_set_bool_option("no_such_option", 1), int(Error::NotFound));
  CHECK_EQ(
      {{ cookiecutter.backend_slug }}_get_bool_option(nullptr, &value), int(Error::InvalidArgument));
  const std::string long_key(200, 'k');
  CHECK_EQ(
      {{ cookiecutter.backend_slug }}_set_bool_option(long_key.c_str(), 1),
      int(Error::InvalidArgument));
}

TEST(trace_logs_every_op_by_name) {
  FakeNamedDataMap data = small_mlp_data();
  Delegate delegate(blob_test::small_mlp_builder().build(), &data);
  OwnedTensor x({2, 3}, std::vector<float>(6));
  OwnedTensor b({3}, std::vector<float>(3));
  OwnedTensor out({2, 4}, std::vector<float>(8));
  EValue args[] = {x.value(), b.value(), out.value()};

  captured_log().clear();
  CHECK(delegate.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
  CHECK_EQ(captured_log(), std::string());

  set_trace(true);
  CHECK(delegate.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
  set_trace(false);
  const std::string log = captured_log();
  CHECK_CONTAINS(log, "op 1/4 add 'add'");
  CHECK_CONTAINS(log, "op 2/4 relu 'relu'");
  CHECK_CONTAINS(log, "op 3/4 linear 'fc' -> tensor 6 (8 elements)");
  CHECK_CONTAINS(log, "op 4/4 sigmoid 'sigmoid'");
}

TEST(runtime_spec_overrides_trace_for_one_method) {
  FakeNamedDataMap data = small_mlp_data();
  BackendOptions<1> specs;
  specs.set_option(kTraceOption, true);
  const Span<BackendOption> view = specs.view();
  Delegate traced(
      blob_test::small_mlp_builder().build(),
      &data,
      Span<const BackendOption>(view.data(), view.size()));
  Delegate plain(blob_test::small_mlp_builder().build(), &data);
  CHECK(traced.handle.ok());
  OwnedTensor x({2, 3}, std::vector<float>(6));
  OwnedTensor b({3}, std::vector<float>(3));
  OwnedTensor out({2, 4}, std::vector<float>(8));
  EValue args[] = {x.value(), b.value(), out.value()};

  captured_log().clear();
  CHECK(plain.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
  CHECK_EQ(captured_log(), std::string());
  CHECK(traced.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
  CHECK_CONTAINS(captured_log(), "op 4/4 sigmoid");
}

// Thousands of delegates created, run and destroyed through the
// BackendInterface (with constants from a NamedDataMap), interleaved with
// inits that fail at each stage. Under ASan a leak check runs at the end of
// the test, so any leaked executor, buffer or constant copy fails it here
// (and LeakSanitizer would report it again at exit).
TEST(thousands_of_init_execute_destroy_cycles_leak_nothing) {
  constexpr int kCycles = 5000;
  FakeNamedDataMap data = small_mlp_data();
  FakeNamedDataMap misaligned = small_mlp_data(/*misalign=*/true);
  FakeNamedDataMap missing_bias;
  missing_bias.add("weight", kWeight);
  const std::vector<uint8_t> blob = blob_test::small_mlp_builder().build();
  std::vector<uint8_t> newer = blob;
  blob_test::set_u32(newer, 4, 3);
  const std::vector<uint8_t> truncated(
      blob.begin(), blob.begin() + blob.size() / 2);

  OwnedTensor x({2, 3}, {1.0f, -2.0f, 0.5f, 0.0f, 3.0f, -1.0f});
  OwnedTensor b({3}, {0.5f, 0.5f, -0.25f});
  OwnedTensor out({2, 4}, std::vector<float>(8));
  OwnedTensor wrong({3, 2}, std::vector<float>(6));
  EValue args[] = {x.value(), b.value(), out.value(), wrong.value()};
  const std::vector<float> expected = small_mlp_reference(x.data, b.data);

  int ok = 0;
  int failed = 0;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    {
      Delegate delegate(blob, cycle % 2 == 0 ? &data : &misaligned);
      if (!delegate.handle.ok()) {
        CHECK(delegate.handle.ok());
        break;
      }
      CHECK(delegate.execute({&args[0], &args[1], &args[2]}) == Error::Ok);
      if (cycle % 7 == 0) { // an execute that fails its argument checks
        CHECK(
            delegate.execute({&args[3], &args[1], &args[2]}) ==
            Error::InvalidArgument);
      }
      ++ok;
    }
    if (cycle % 10 == 0) {
      // Failing inits: at the parser, at the version check, at the named data.
      Delegate short_blob(truncated, &data);
      Delegate newer_blob(newer, &data);
      Delegate no_bias(blob, &missing_bias);
      CHECK(
          !short_blob.handle.ok() && !newer_blob.handle.ok() &&
          !no_bias.handle.ok());
      failed += 3;
    }
  }
  for (size_t i = 0; i < 8; ++i) {
    CHECK_NEAR(out.data[i], expected[i], 1e-6);
  }
  std::printf(
      "  %d delegates created, run and destroyed; %d failed inits\n",
      ok,
      failed);
  CHECK_EQ(ok, kCycles);
#ifdef {{ cookiecutter.__slug_upper }}_TEST_ASAN
  // Nonzero when LeakSanitizer finds unreachable memory right now.
  CHECK_EQ(__lsan_do_recoverable_leak_check(), 0);
#else
  std::printf(
      "  (not built with ASan: no leak check; use -D{{ cookiecutter.__slug_upper }}_ENABLE_SANITIZERS=ON)\n");
#endif
}

int main() {
  runtime_init();
  register_pal(PalImpl::create(capture_log, __FILE__));
  return test_harness::run_all_tests();
}
