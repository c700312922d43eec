{{ cookiecutter.__cpp_license_header }}

// The reference kernels, reached through the generated kernel table, against
// straightforward index arithmetic written independently here, and against
// values worked out by hand.

#include "test_harness.h"

#include <{{ cookiecutter.package_name }}/runtime/ops/OpKernel.h>

#include <executorch/extension/memory_allocator/malloc_memory_allocator.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace {{ cookiecutter.__cpp_namespace }};

namespace {

Shape shape_of(std::initializer_list<uint32_t> sizes) {
  Shape shape;
  for (uint32_t size : sizes) {
    shape.sizes[shape.rank++] = size;
  }
  return shape;
}

std::vector<float> iota(size_t count, float start, float step) {
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i) {
    values[i] = start + step * static_cast<float>(i);
  }
  return values;
}

// Element of `values` (shaped `shape`) that output position `flat` of
// `out_shape` reads under broadcasting: unravel, then clamp broadcast dims.
float broadcast_read(
    const std::vector<float>& values,
    const Shape& shape,
    const Shape& out_shape,
    size_t flat) {
  std::vector<size_t> index(out_shape.rank);
  for (uint32_t d = out_shape.rank; d-- > 0;) {
    index[d] = flat % out_shape.sizes[d];
    flat /= out_shape.sizes[d];
  }
  size_t offset = 0;
  const uint32_t lead = out_shape.rank - shape.rank;
  for (uint32_t d = 0; d < shape.rank; ++d) {
    const size_t i = shape.sizes[d] == 1 ? 0 : index[lead + d];
    offset = offset * shape.sizes[d] + i;
  }
  return values[offset];
}

// One operand of run_kernel: its shape and data; data null and absent true
// for an absent optional operand.
struct Operand {
  Shape shape;
  const float* data;
  bool absent = false;
};

Attribute float_attr(double value) {
  Attribute attr;
  attr.type = AttrType::Float;
  attr.floats = {value};
  return attr;
}

// Runs the kernel the generated table holds for opcode on one op built here
// (no blob, no parser), writing out.
void run_kernel(
    OpCode opcode,
    const std::vector<Operand>& operands,
    const Shape& out_shape,
    float* out,
    std::vector<Attribute> attrs = {}) {
  Graph graph;
  Op op;
  op.schema = find_op_schema(static_cast<uint32_t>(opcode));
  op.opcode = opcode;
  op.attrs = std::move(attrs);
  std::vector<void*> data;
  for (const Operand& operand : operands) {
    if (operand.absent) {
      op.inputs.push_back(kNoTensor);
      continue;
    }
    TensorInfo info;
    info.shape = operand.shape;
    info.numel = numel(operand.shape);
    op.inputs.push_back(static_cast<uint32_t>(graph.tensors.size()));
    graph.tensors.push_back(info);
    data.push_back(const_cast<float*>(operand.data));
  }
  TensorInfo out_info;
  out_info.shape = out_shape;
  out_info.numel = numel(out_shape);
  op.outputs.push_back(static_cast<uint32_t>(graph.tensors.size()));
  graph.tensors.push_back(out_info);
  data.push_back(out);
  const KernelFn kernel = find_kernel(opcode, kDtypeFloat32);
  CHECK(kernel != nullptr);
  if (kernel != nullptr) {
    kernel(KernelContext(graph, op, data.data()));
  }
}

void unary(
    OpCode opcode,
    const std::vector<float>& x,
    std::vector<float>& out,
    size_t count) {
  const Shape shape = shape_of({static_cast<uint32_t>(count)});
  run_kernel(opcode, {Operand{shape, x.data()}}, shape, out.data());
}

void clamp(
    const std::vector<float>& x,
    std::vector<float>& out,
    size_t count,
    float low,
    float high) {
  const Shape shape = shape_of({static_cast<uint32_t>(count)});
  run_kernel(
      OpCode::Clamp,
      {Operand{shape, x.data()}},
      shape,
      out.data(),
      {float_attr(low), float_attr(high)});
}

void check_binary(OpCode op, Shape a_shape, Shape b_shape, float alpha) {
  const Shape out_shape = *broadcast_shapes(a_shape, b_shape);
  const std::vector<float> a = iota(numel(a_shape), -2.0f, 0.25f);
  const std::vector<float> b = iota(numel(b_shape), 0.5f, 0.5f);
  std::vector<float> out(numel(out_shape), std::nanf(""));
  std::vector<Attribute> attrs;
  if (op == OpCode::Add || op == OpCode::Sub) {
    attrs.push_back(float_attr(alpha));
  }
  run_kernel(
      op,
      {Operand{a_shape, a.data()}, {b_shape, b.data()}},
      out_shape,
      out.data(),
      attrs);
  for (size_t i = 0; i < out.size(); ++i) {
    const float x = broadcast_read(a, a_shape, out_shape, i);
    const float y = broadcast_read(b, b_shape, out_shape, i);
    float expected = 0.0f;
    if (op == OpCode::Add) {
      expected = x + alpha * y;
    } else if (op == OpCode::Sub) {
      expected = x - alpha * y;
    } else if (op == OpCode::Mul) {
      expected = x * y;
    } else if (op == OpCode::Div) {
      expected = x / y;
    } else {
      CHECK(false); // not a binary op
    }
    CHECK_NEAR(out[i], expected, 1e-6);
  }
}

// A per-tensor quantized int8 tensor of Int8Op; absent: an optional operand
// left out.
struct Int8Tensor {
  Shape shape;
  QuantParam q;
  std::vector<int8_t> data;
  bool absent = false;
};

// One op on int8 operands, built here (no blob, no parser), run on the
// integer kernel the generated table holds for its opcode (its output is
// int8) after that kernel's prepare function, once, as the executor's init
// runs it. The operands are not constants: a kernel reads them on every call.
class Int8Op {
 public:
  Int8Op(
      OpCode opcode,
      std::vector<Int8Tensor> operands,
      const Shape& out_shape,
      const QuantParam& out_q,
      std::vector<Attribute> attrs = {})
      : operands_(std::move(operands)), out_(numel(out_shape), 0) {
    op_.schema = find_op_schema(static_cast<uint32_t>(opcode));
    op_.opcode = opcode;
    op_.attrs = std::move(attrs);
    for (Int8Tensor& operand : operands_) {
      if (operand.absent) {
        op_.inputs.push_back(kNoTensor);
        continue;
      }
      op_.inputs.push_back(add_tensor(operand.shape, operand.q));
      data_.push_back(operand.data.data());
    }
    op_.outputs.push_back(add_tensor(out_shape, out_q));
    data_.push_back(out_.data());
    kernel_ = find_kernel(opcode, kDtypeInt8);
    CHECK(kernel_ != nullptr);
    const PrepareFn prepare =
        kernel_ != nullptr ? find_prepare(kernel_) : nullptr;
    if (prepare != nullptr) {
      CHECK(
          prepare(context(), allocator_, &prepared_) ==
          executorch::runtime::Error::Ok);
    }
  }

  // Operand `index`'s values, to change between calls.
  std::vector<int8_t>& operand(size_t index) {
    return operands_[index].data;
  }

  std::vector<int8_t> run() {
    if (kernel_ != nullptr) {
      kernel_(context());
    }
    return out_;
  }

 private:
  uint32_t add_tensor(const Shape& shape, const QuantParam& q) {
    TensorInfo info;
    info.dtype = kDtypeInt8;
    info.shape = shape;
    info.numel = numel(shape);
    info.nbytes = info.numel;
    info.quant_scheme = QuantScheme::PerTensor;
    info.qparams = {q};
    graph_.tensors.push_back(info);
    return static_cast<uint32_t>(graph_.tensors.size() - 1);
  }
  KernelContext context() {
    // The operands' data, by tensor id (every tensor here is an operand or
    // the output, in that order).
    for (size_t i = 0, id = 0; i < operands_.size(); ++i) {
      if (!operands_[i].absent) {
        data_[id++] = operands_[i].data.data();
      }
    }
    return KernelContext(graph_, op_, data_.data(), prepared_);
  }

  std::vector<Int8Tensor> operands_;
  std::vector<int8_t> out_;
  Graph graph_;
  Op op_;
  std::vector<void*> data_;
  KernelFn kernel_ = nullptr;
  executorch::extension::MallocMemoryAllocator allocator_;
  void* prepared_ = nullptr;
};

// Runs the integer kernel of opcode once on int8 operands (Int8Op) and
// returns the output's values.
std::vector<int8_t> run_int8_kernel(
    OpCode opcode,
    std::vector<Int8Tensor> operands,
    const Shape& out_shape,
    const QuantParam& out_q,
    std::vector<Attribute> attrs = {}) {
  return Int8Op(opcode, std::move(operands), out_shape, out_q, std::move(attrs))
      .run();
}

std::vector<int8_t> all_int8_codes() {
  std::vector<int8_t> codes;
  for (int q = -128; q <= 127; ++q) {
    codes.push_back(static_cast<int8_t>(q));
  }
  return codes;
}

} // namespace

TEST(binary_same_shape) {
  check_binary(OpCode::Add, shape_of({2, 3}), shape_of({2, 3}), 1.0f);
  check_binary(OpCode::Mul, shape_of({7}), shape_of({7}), 1.0f);
}

TEST(binary_broadcasts_both_ways) {
  check_binary(OpCode::Add, shape_of({2, 1, 3}), shape_of({4, 1}), 0.5f);
  check_binary(OpCode::Sub, shape_of({4, 1}), shape_of({2, 1, 3}), 2.0f);
  check_binary(
      OpCode::Mul, shape_of({3, 1, 5, 1}), shape_of({1, 4, 1, 2}), 1.0f);
  check_binary(OpCode::Div, shape_of({2, 3, 4}), shape_of({4}), 1.0f);
}

TEST(binary_with_scalars) {
  check_binary(OpCode::Sub, shape_of({2, 3}), shape_of({}), 1.0f);
  check_binary(OpCode::Div, shape_of({}), shape_of({2, 3}), 1.0f);
  check_binary(OpCode::Mul, shape_of({}), shape_of({}), 1.0f);
  check_binary(OpCode::Add, shape_of({1, 1}), shape_of({3}), 1.0f);
}

TEST(binary_with_empty_tensors_writes_nothing) {
  const Shape a_shape = shape_of({0, 3});
  const Shape b_shape = shape_of({3});
  const std::vector<float> b = {1.0f, 2.0f, 3.0f};
  float sentinel = 42.0f;
  run_kernel(
      OpCode::Add,
      {Operand{a_shape, nullptr}, {b_shape, b.data()}},
      *broadcast_shapes(a_shape, b_shape),
      &sentinel,
      {float_attr(1.0)});
  CHECK_EQ(sentinel, 42.0f);
}

TEST(unary_ops) {
  const std::vector<float> x = {-100.0f, -2.0f, -0.0f, 0.5f, 3.0f, 100.0f};
  std::vector<float> out(x.size());
  unary(OpCode::Relu, x, out, x.size());
  const float relu[] = {0.0f, 0.0f, 0.0f, 0.5f, 3.0f, 100.0f};
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK_EQ(out[i], relu[i]);
  }
  unary(OpCode::Sigmoid, x, out, x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK_NEAR(out[i], 1.0 / (1.0 + std::exp(-double(x[i]))), 1e-7);
    CHECK(!std::isnan(out[i]));
  }
  unary(OpCode::Tanh, x, out, x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK_NEAR(out[i], std::tanh(double(x[i])), 1e-7);
  }
}

TEST(unary_ops_propagate_nan) {
  const std::vector<float> x = {std::numeric_limits<float>::quiet_NaN()};
  std::vector<float> out = {0.0f};
  for (OpCode op : {OpCode::Relu, OpCode::Sigmoid, OpCode::Tanh}) {
    unary(op, x, out, 1);
    CHECK(std::isnan(out[0]));
  }
}

TEST(clamp_bounds_infinities_and_nan) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {-3.0f, -0.5f, 0.0f, 0.7f, 9.0f, std::nanf("")};
  std::vector<float> out(x.size());
  clamp(x, out, x.size(), -1.0f, 0.5f);
  const float expected[] = {-1.0f, -0.5f, 0.0f, 0.5f, 0.5f};
  for (size_t i = 0; i < 5; ++i) {
    CHECK_EQ(out[i], expected[i]);
  }
  CHECK(std::isnan(out[5]));

  // One-sided: clamp(min=0) is stored with max = +inf.
  clamp(x, out, 5, 0.0f, inf);
  CHECK_EQ(out[0], 0.0f);
  CHECK_EQ(out[4], 9.0f);

  // min > max gives max everywhere, as torch.clamp does.
  clamp(x, out, 5, 2.0f, 1.0f);
  for (size_t i = 0; i < 5; ++i) {
    CHECK_EQ(out[i], 1.0f);
  }
}

TEST(linear_with_and_without_bias) {
  // x [2, 3], weight [2, 3], bias [2], worked out by hand.
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  const std::vector<float> w = {1, 0, -1, 0.5f, 0.5f, 0.5f};
  const std::vector<float> bias = {10, -10};
  std::vector<float> out(4);
  const Shape x_shape = shape_of({2, 3});
  const Shape w_shape = shape_of({2, 3});
  const Shape b_shape = shape_of({2});
  const Shape out_shape = shape_of({2, 2});
  run_kernel(
      OpCode::Linear,
      {Operand{x_shape, x.data()}, {w_shape, w.data()}, {b_shape, bias.data()}},
      out_shape,
      out.data());
  const float with_bias[] = {8, -7, 8, -2.5f};
  for (size_t i = 0; i < 4; ++i) {
    CHECK_NEAR(out[i], with_bias[i], 1e-6);
  }
  run_kernel(
      OpCode::Linear,
      {Operand{x_shape, x.data()},
       {w_shape, w.data()},
       {b_shape, nullptr, true}},
      out_shape,
      out.data());
  const float without_bias[] = {-2, 3, -2, 7.5f};
  for (size_t i = 0; i < 4; ++i) {
    CHECK_NEAR(out[i], without_bias[i], 1e-6);
  }
}

TEST(linear_with_no_input_features_is_the_bias) {
  const std::vector<float> bias = {1.5f, -2.0f};
  std::vector<float> out(6, 0.0f);
  run_kernel(
      OpCode::Linear,
      {Operand{shape_of({3, 0}), nullptr},
       {shape_of({2, 0}), nullptr},
       {shape_of({2}), bias.data()}},
      shape_of({3, 2}),
      out.data());
  for (size_t r = 0; r < 3; ++r) {
    CHECK_EQ(out[r * 2], 1.5f);
    CHECK_EQ(out[r * 2 + 1], -2.0f);
  }
}

TEST(mm_and_bmm) {
  // [2, 3] @ [3, 2]
  const std::vector<float> a = {1, 2, 3, 4, 5, 6};
  const std::vector<float> b = {7, 8, 9, 10, 11, 12};
  std::vector<float> out(4);
  run_kernel(
      OpCode::Mm,
      {Operand{shape_of({2, 3}), a.data()}, {shape_of({3, 2}), b.data()}},
      shape_of({2, 2}),
      out.data());
  const float expected[] = {58, 64, 139, 154};
  for (size_t i = 0; i < 4; ++i) {
    CHECK_NEAR(out[i], expected[i], 1e-5);
  }

  // Batch of two: the second batch is the first scaled by -1 on the left.
  std::vector<float> batched_a = a;
  for (float v : a) {
    batched_a.push_back(-v);
  }
  std::vector<float> batched_b = b;
  batched_b.insert(batched_b.end(), b.begin(), b.end());
  std::vector<float> batched_out(8);
  run_kernel(
      OpCode::Bmm,
      {Operand{shape_of({2, 2, 3}), batched_a.data()},
       {shape_of({2, 3, 2}), batched_b.data()}},
      shape_of({2, 2, 2}),
      batched_out.data());
  for (size_t i = 0; i < 4; ++i) {
    CHECK_NEAR(batched_out[i], expected[i], 1e-5);
    CHECK_NEAR(batched_out[4 + i], -expected[i], 1e-5);
  }
}

TEST(quantize_value_rounds_saturates_and_defines_nan_and_infinities) {
  const float inf = std::numeric_limits<float>::infinity();
  const QuantParam q{0.5f, 3};
  // Half to even, then the zero point: 1.25 / 0.5 = 2.5 -> 2, 1.75 -> 4.
  CHECK_EQ(int(kernel_util::quantize_value(1.25f, q)), 5);
  CHECK_EQ(int(kernel_util::quantize_value(1.75f, q)), 7);
  // Saturation, infinities and values int64 cannot hold included.
  CHECK_EQ(int(kernel_util::quantize_value(100.0f, q)), 127);
  CHECK_EQ(int(kernel_util::quantize_value(-100.0f, q)), -128);
  CHECK_EQ(int(kernel_util::quantize_value(3e38f, q)), 127);
  CHECK_EQ(int(kernel_util::quantize_value(inf, q)), 127);
  CHECK_EQ(int(kernel_util::quantize_value(-inf, q)), -128);
  // NaN is quant_min, as ExecuTorch's quantize_per_tensor gives on x86-64.
  CHECK_EQ(int(kernel_util::quantize_value(std::nanf(""), q)), -128);
}

TEST(int8_layout_kernels_move_bytes_and_requantize_other_qparams) {
  const QuantParam q{0.1f, 5};
  const std::vector<int8_t> x = {-128, -3, 0, 7, 100, 127};
  // view_copy keeps the order; with the input's qparams the bytes are the
  // answer.
  CHECK(
      run_int8_kernel(
          OpCode::ViewCopy,
          {Int8Tensor{shape_of({2, 3}), q, x}},
          shape_of({3, 2}),
          q,
          {[] {
            Attribute size;
            size.type = AttrType::IntList;
            size.ints = {3, 2};
            return size;
          }()}) == x);
  // permute_copy of [2, 3] moves int8 elements (one byte each).
  Attribute dims;
  dims.type = AttrType::IntList;
  dims.ints = {1, 0};
  const std::vector<int8_t> transposed = {-128, 7, -3, 100, 0, 127};
  CHECK(
      run_int8_kernel(
          OpCode::PermuteCopy,
          {Int8Tensor{shape_of({2, 3}), q, x}},
          shape_of({3, 2}),
          q,
          {dims}) == transposed);
  // An output with other qparams is requantized: zp + round((x - 5) / 2).
  const QuantParam half{0.2f, -1};
  const std::vector<int8_t> out = run_int8_kernel(
      OpCode::PermuteCopy,
      {Int8Tensor{shape_of({2, 3}), q, x}},
      shape_of({3, 2}),
      half,
      {dims});
  for (size_t i = 0; i < out.size(); ++i) {
    const double expected =
        -1 + std::floor((double(transposed[i]) - 5) / 2 + 0.5); // ties up
    CHECK_EQ(int(out[i]), int(expected));
  }
}

TEST(int8_lookup_table_is_dequantize_float_kernel_quantize) {
  const QuantParam qin{0.05f, -10};
  const QuantParam qout{1.0f / 256, -128};
  const std::vector<int8_t> codes = all_int8_codes();
  const Shape shape = shape_of({256});
  const std::vector<int8_t> out = run_int8_kernel(
      OpCode::Sigmoid, {Int8Tensor{shape, qin, codes}}, shape, qout);
  for (size_t i = 0; i < codes.size(); ++i) {
    const float x = (float(codes[i]) - float(qin.zero_point)) * qin.scale;
    const float y = static_cast<float>(1.0 / (1.0 + std::exp(-double(x))));
    CHECK_EQ(int(out[i]), int(kernel_util::quantize_value(y, qout)));
  }
  // An attribute reaches the float kernel: leaky_relu's slope.
  const std::vector<int8_t> leaky = run_int8_kernel(
      OpCode::LeakyRelu,
      {Int8Tensor{shape, qin, codes}},
      shape,
      qin,
      {float_attr(0.5)});
  for (size_t i = 0; i < codes.size(); ++i) {
    const float x = (float(codes[i]) - float(qin.zero_point)) * qin.scale;
    const float y = x > 0.0f ? x : x * 0.5f;
    CHECK_EQ(int(leaky[i]), int(kernel_util::quantize_value(y, qin)));
  }
}

TEST(int8_sub_maximum_and_minimum) {
  const QuantParam qa{0.1f, 3};
  const QuantParam qb{0.05f, -7};
  const QuantParam qout{0.15f, 2};
  const std::vector<int8_t> a = {-128, -50, 0, 3, 64, 127};
  const std::vector<int8_t> b = {127, -7, 20, -128, 64, 0};
  const Shape shape = shape_of({6});
  const std::vector<int8_t> sub = run_int8_kernel(
      OpCode::Sub,
      {Int8Tensor{shape, qa, a}, {shape, qb, b}},
      shape,
      qout,
      {float_attr(1.0)});
  const std::vector<int8_t> maximum = run_int8_kernel(
      OpCode::Maximum, {Int8Tensor{shape, qa, a}, {shape, qb, b}}, shape, qout);
  const std::vector<int8_t> minimum = run_int8_kernel(
      OpCode::Minimum, {Int8Tensor{shape, qa, a}, {shape, qb, b}}, shape, qout);
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = (a[i] - qa.zero_point) * double(qa.scale);
    const double y = (b[i] - qb.zero_point) * double(qb.scale);
    // Within one step of the exact result (fixed-point rounding).
    const auto near = [&](int8_t got, double value) {
      const double code =
          std::clamp(qout.zero_point + value / qout.scale, -128.0, 127.0);
      CHECK(std::abs(double(got) - code) <= 0.5 + 1e-6);
    };
    near(sub[i], x - y);
    near(maximum[i], std::max(x, y));
    near(minimum[i], std::min(x, y));
  }
}

Attribute ints_attr(std::vector<int64_t> values) {
  Attribute attr;
  attr.type = AttrType::IntList;
  attr.ints = std::move(values);
  return attr;
}

Attribute bool_attr(bool value) {
  Attribute attr;
  attr.type = AttrType::Bool;
  attr.ints = {value ? 1 : 0};
  return attr;
}

Attribute int_attr(int64_t value) {
  Attribute attr;
  attr.type = AttrType::Int;
  attr.ints = {value};
  return attr;
}

TEST(int8_convolution_is_its_exact_sum_requantized_on_every_call) {
  // conv2d [1, 2, 5, 5] -> [1, 3, 3, 3]: 3x3 kernel, stride 2, padding 1 (the
  // corners read padding), no bias; weights per tensor with a zero point, not
  // a constant, so the kernel re-centres them on every call.
  const QuantParam qx{0.1f, -5};
  const QuantParam qw{0.02f, 3};
  const QuantParam qout{0.05f, 4};
  std::vector<int8_t> x(50);
  std::vector<int8_t> w(54);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<int8_t>(int(i * 37 % 256) - 128);
  }
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = static_cast<int8_t>(int(i * 53 % 256) - 128);
  }
  Int8Op conv(
      OpCode::Convolution,
      {Int8Tensor{shape_of({1, 2, 5, 5}), qx, x},
       {shape_of({3, 2, 3, 3}), qw, w},
       {Shape{}, qw, {}, /*absent=*/true}},
      shape_of({1, 3, 3, 3}),
      qout,
      {ints_attr({2, 2}),
       ints_attr({1, 1}),
       ints_attr({1, 1}),
       bool_attr(false),
       ints_attr({0, 0}),
       int_attr(1)});
  for (int call = 0; call < 2; ++call) {
    const std::vector<int8_t>& xs = conv.operand(0);
    const std::vector<int8_t>& ws = conv.operand(1);
    const std::vector<int8_t> out = conv.run();
    for (int oc = 0; oc < 3; ++oc) {
      for (int oy = 0; oy < 3; ++oy) {
        for (int ox = 0; ox < 3; ++ox) {
          double sum = 0.0; // exact: a few hundred products of integers
          for (int ci = 0; ci < 2; ++ci) {
            for (int ky = 0; ky < 3; ++ky) {
              for (int kx = 0; kx < 3; ++kx) {
                const int iy = oy * 2 - 1 + ky;
                const int ix = ox * 2 - 1 + kx;
                if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5) {
                  continue;
                }
                sum += double(xs[(ci * 5 + iy) * 5 + ix] - qx.zero_point) *
                    double(ws[((oc * 2 + ci) * 3 + ky) * 3 + kx] -
                           qw.zero_point);
              }
            }
          }
          // Within half a step of the real result (one fixed-point rounding).
          const double code = std::clamp(
              qout.zero_point +
                  sum * double(qx.scale) * double(qw.scale) /
                      double(qout.scale),
              -128.0,
              127.0);
          const int8_t got = out[(oc * 3 + oy) * 3 + ox];
          CHECK(std::abs(double(got) - code) <= 0.5 + 1e-6);
        }
      }
    }
    // The next call, with other weights and inputs.
    for (int8_t& value : conv.operand(1)) {
      value = static_cast<int8_t>(-int(value) / 2);
    }
    for (int8_t& value : conv.operand(0)) {
      value = static_cast<int8_t>(int(value) / 3);
    }
  }
}

TEST(every_opcode_has_a_schema_and_a_kernel) {
  CHECK_EQ(sizeof(kOpSchemas) / sizeof(kOpSchemas[0]), size_t(kNumOpCodes));
  for (const OpSchema& schema : kOpSchemas) {
    CHECK(find_op_schema(static_cast<uint32_t>(schema.opcode)) == &schema);
    CHECK(find_kernel(schema.opcode, kDtypeFloat32) != nullptr);
    CHECK(find_kernel(schema.opcode, kDtypeInt8) != nullptr);
  }
  CHECK(find_op_schema(0) == nullptr);
  CHECK(find_op_schema(kMaxOpCode + 1) == nullptr);
}

int main() {
  return test_harness::run_all_tests();
}
