{{ cookiecutter.__cpp_license_header }}

// parse_graph(): a valid blob becomes the expected graph, and every rule of
// FORMAT.md that a blob can break is refused with a message that names it.

#include "blob_builder.h"
#include "test_harness.h"

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>

#include <limits>

using namespace {{ cookiecutter.__cpp_namespace }};
using blob_test::BlobBuilder;
using blob_test::bool_attr;
using blob_test::float_attr;
using blob_test::get_u32;
using blob_test::int_attr;
using blob_test::ints_attr;
using blob_test::set_f64;
using blob_test::set_u32;
using blob_test::set_u64;

namespace {

executorch::runtime::Result<Graph> parse(const std::vector<uint8_t>& blob) {
  std::string error;
  return parse_graph(blob.data(), blob.size(), &error);
}

// The parse error message, or "" when the blob was accepted.
std::string error_of(const std::vector<uint8_t>& blob) {
  std::string error;
  const auto result = parse_graph(blob.data(), blob.size(), &error);
  if (result.ok()) {
    return "";
  }
  CHECK(result.error() == executorch::runtime::Error::InvalidProgram);
  CHECK(!error.empty());
  return error;
}

std::vector<uint8_t> valid_blob() {
  return blob_test::small_mlp_builder().build();
}

} // namespace

TEST(valid_blob_parses_into_the_graph) {
  const auto result = parse(valid_blob());
  CHECK(result.ok());
  if (!result.ok()) {
    return;
  }
  const Graph& graph = result.get();
  CHECK_EQ(graph.tensors.size(), size_t(8));
  CHECK_EQ(graph.ops.size(), size_t(4));
  CHECK_EQ(graph.input_ids.size(), size_t(2));
  CHECK_EQ(graph.output_ids.size(), size_t(1));
  CHECK_EQ(graph.constants.size(), size_t(2));
  CHECK(graph.ops[0].opcode == OpCode::Add);
  CHECK(graph.ops[0].attrs[schema::add::kAttrAlpha].type == AttrType::Float);
  CHECK_EQ(graph.ops[0].attrs[schema::add::kAttrAlpha].floats[0], 1.0);
  CHECK(graph.ops[2].opcode == OpCode::Linear);
  CHECK_EQ(std::string(graph.ops[2].schema->name), std::string("linear"));
  CHECK_EQ(graph.ops[2].inputs.size(), size_t(3));
  CHECK_EQ(graph.ops[2].outputs.size(), size_t(1));
  CHECK_EQ(graph.ops[2].outputs[0], 6u);
  CHECK(graph.ops[2].name == "fc");
  CHECK(graph.constants[0].key == "weight");
  CHECK_EQ(graph.constants[0].nbytes, uint64_t(48));
  CHECK_EQ(graph.tensors[2].nbytes, size_t(48));
  CHECK(graph.tensors[0].source == TensorSource::Input);
  CHECK(graph.tensors[2].source == TensorSource::Constant);
  CHECK(graph.tensors[7].source == TensorSource::OpOutput);
  CHECK_EQ(graph.tensors[7].numel, size_t(8));
}

TEST(blob_without_names_and_rank0_tensors_parses) {
  BlobBuilder builder;
  const uint32_t x = builder.input({});
  const uint32_t y = builder.input({2, 1});
  builder.output(builder.op(OpCode::Mul, {x, y}, {2, 1}));
  CHECK_EQ(error_of(builder.build()), std::string());
}

TEST(delegate_output_may_be_an_input_and_repeat) {
  BlobBuilder builder;
  const uint32_t x = builder.input({3});
  builder.output(x);
  builder.output(x);
  CHECK_EQ(error_of(builder.build()), std::string());
}

TEST(null_and_short_buffers_are_refused) {
  std::string error;
  CHECK(!parse_graph(nullptr, 10, &error).ok());
  CHECK_CONTAINS(error, "null");
  CHECK_CONTAINS(error_of({}), "shorter than the 64-byte header");
  std::vector<uint8_t> blob = valid_blob();
  blob.resize(63);
  CHECK_CONTAINS(error_of(blob), "63 bytes");
}

TEST(every_truncation_is_refused) {
  const std::vector<uint8_t> blob = valid_blob();
  for (size_t size = 0; size < blob.size(); ++size) {
    const std::vector<uint8_t> prefix(blob.begin(), blob.begin() + size);
    if (error_of(prefix).empty()) {
      CHECK(size == blob.size());
    }
  }
  std::vector<uint8_t> truncated = blob;
  truncated.pop_back();
  CHECK_CONTAINS(error_of(truncated), "truncated");
}

TEST(trailing_bytes_are_refused) {
  std::vector<uint8_t> blob = valid_blob();
  blob.push_back(0);
  CHECK_CONTAINS(error_of(blob), "total_size");
}

TEST(bad_magic_is_refused) {
  std::vector<uint8_t> blob = valid_blob();
  blob[0] = 'X';
  CHECK_CONTAINS(error_of(blob), "bad magic");
}

TEST(other_version_is_refused_naming_both_versions) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, 4, 3);
  const std::string message = error_of(blob);
  CHECK_CONTAINS(message, "format version 3");
  CHECK_CONTAINS(message, "reads version 2");
}

TEST(version_1_blob_is_refused_with_a_re_export_hint) {
  // A complete version-1 blob: its 48-byte header, one float32 tensor that
  // is both delegate input and output.
  std::vector<uint8_t> v1 = {'E', 'T', 'R', 'B'};
  const uint32_t header[] = {1, 48, 1, 0, 1, 1, 0, 0, 0, 48 + 40 + 8, 0};
  for (uint32_t field : header) {
    for (int shift = 0; shift < 32; shift += 8) {
      v1.push_back(static_cast<uint8_t>(field >> shift));
    }
  }
  const uint32_t tensor[10] = {6, 1, 4};
  for (uint32_t field : tensor) {
    for (int shift = 0; shift < 32; shift += 8) {
      v1.push_back(static_cast<uint8_t>(field >> shift));
    }
  }
  v1.insert(v1.end(), 8, 0); // input id 0, output id 0
  const std::string message = error_of(v1);
  CHECK_CONTAINS(message, "format version 1; this runtime reads version 2");
  CHECK_CONTAINS(message, "re-export");
}

// Names and keys reach log messages, whose Python sink aborts on bad UTF-8
// (found by tests/test_runtime_robustness.py flipping a bit of a key).
TEST(strings_must_be_valid_utf8) {
  const auto blob_with = [](const std::string& key, const std::string& name) {
    BlobBuilder builder;
    const uint32_t x = builder.input({3});
    const uint32_t c = builder.constant({3}, key);
    builder.output(
        builder.op(OpCode::Add, {x, c}, {3}, {float_attr(1.0)}, name));
    return builder.build();
  };
  // Multi-byte characters (2, 3 and 4 bytes) are fine.
  CHECK_EQ(
      error_of(
          blob_with("w\xC3\xA9", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80")),
      std::string());
  const char* bad[] = {
      "k\xC2"
      "A", // lead byte without its continuation
      "k\xC3", // cut off at the end
      "k\x80", // stray continuation byte
      "k\xC0\xAF", // overlong '/'
      "k\xED\xA0\x80", // UTF-16 surrogate
      "k\xF4\x90\x80\x80", // above U+10FFFF
      "k\xFF", // never valid
  };
  for (const char* key : bad) {
    CHECK_CONTAINS(
        error_of(blob_with(key, "add")), "constant 0 key is not valid UTF-8");
    CHECK_CONTAINS(error_of(blob_with("w", key)), "is not valid UTF-8");
  }
}

TEST(header_fields_are_checked) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, 8, 52);
  CHECK_CONTAINS(error_of(blob), "header_size is 52");

  blob = valid_blob();
  set_u32(blob, blob_test::kFlagsField, 1);
  CHECK_CONTAINS(error_of(blob), "flags");
}

TEST(section_sizes_must_add_up) {
  // One more op than the blob holds: total_size still matches the buffer,
  // the sections do not.
  std::vector<uint8_t> blob = valid_blob();
  set_u32(
      blob,
      blob_test::kNumOpsField,
      get_u32(blob, blob_test::kNumOpsField) + 1);
  CHECK_CONTAINS(error_of(blob), "sections add up to");

  // Counts so large that the section sizes would overflow 32-bit math.
  blob = valid_blob();
  for (size_t field = blob_test::kNumTensorsField;
       field <= blob_test::kStringTableSizeField;
       field += 4) {
    set_u32(blob, field, 0xFFFFFFFF);
  }
  CHECK_CONTAINS(error_of(blob), "sections add up to");
}

TEST(tensor_records_are_checked) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(
      blob, blob_test::tensor_offset(blob, 0), 5); // float16: not in the format
  const std::string dtype_message = error_of(blob);
  CHECK_CONTAINS(dtype_message, "dtype 5");
  CHECK_CONTAINS(dtype_message, "6 (float32)");

  // int64 is in the format, but add takes float32 only.
  blob = valid_blob();
  set_u32(blob, blob_test::tensor_offset(blob, 0), 4);
  CHECK_CONTAINS(
      error_of(blob), "uses tensor 0 of dtype int64; it takes float32");

  blob = valid_blob();
  set_u32(blob, blob_test::tensor_offset(blob, 0) + 60, 1);
  CHECK_CONTAINS(error_of(blob), "tensor 0 has a non-zero reserved field");

  blob = valid_blob();
  set_u32(blob, blob_test::tensor_offset(blob, 0) + 40, 0x4); // rank 2
  CHECK_CONTAINS(error_of(blob), "dynamic_dims 0x4");

  blob = valid_blob();
  set_u32(blob, blob_test::tensor_offset(blob, 0) + 4, 9);
  CHECK_CONTAINS(error_of(blob), "rank 9");

  blob = valid_blob();
  set_u32(blob, blob_test::tensor_offset(blob, 0) + 8 + 4 * 5, 7);
  CHECK_CONTAINS(error_of(blob), "size[5] is 7");
}

TEST(dynamic_dims_records_are_checked) {
  // A batch dimension bounded by 4 through relu and linear: accepted, and
  // the bits are kept.
  BlobBuilder builder;
  const uint32_t x = builder.input({4, 3});
  const uint32_t w = builder.constant({2, 3}, "w");
  const uint32_t act = builder.op(OpCode::Relu, {x}, {4, 3});
  const uint32_t fc = builder.op(OpCode::Linear, {act, w, kNoTensor}, {4, 2});
  builder.dynamic_dims(x, 0x1);
  builder.dynamic_dims(act, 0x1);
  builder.dynamic_dims(fc, 0x1);
  builder.output(fc);
  const auto parsed = parse(builder.build());
  CHECK(parsed.ok());
  if (parsed.ok()) {
    CHECK_EQ(parsed.get().tensors[x].dynamic_dims, uint32_t(0x1));
    CHECK_EQ(parsed.get().tensors[w].dynamic_dims, uint32_t(0));
    CHECK_EQ(parsed.get().tensors[fc].dynamic_dims, uint32_t(0x1));
  }

  // Bits beyond the rank, on any tensor.
  BlobBuilder beyond = builder;
  beyond.dynamic_dims(fc, 0x5);
  CHECK_CONTAINS(
      error_of(beyond.build()),
      "tensor 3 has dynamic_dims 0x5, which marks dimensions beyond its rank "
      "2");
  BlobBuilder high_bit = builder;
  high_bit.dynamic_dims(x, 0x80000000);
  CHECK_CONTAINS(error_of(high_bit.build()), "dynamic_dims 0x80000000");

  // Constant data has one size.
  BlobBuilder dynamic_constant = builder;
  dynamic_constant.dynamic_dims(w, 0x1);
  CHECK_CONTAINS(
      error_of(dynamic_constant.build()),
      "constant 0 fills tensor 1, which has dynamic_dims 0x1; constants have "
      "static shapes");

  // A per-channel tensor has one scale per channel: the channel count is
  // static.
  BlobBuilder per_channel;
  const uint32_t q = per_channel.input({4, 3}, kDtypeInt8);
  per_channel.quantize(q, {0.5f, 0.5f, 0.5f, 0.5f}, {0, 0, 0, 0}, 0);
  per_channel.dynamic_dims(q, 0x1);
  per_channel.output(q);
  CHECK_CONTAINS(
      error_of(per_channel.build()),
      "tensor 0 is quantized per channel along axis 0, which is dynamic");
  BlobBuilder other_axis;
  const uint32_t r = other_axis.input({4, 3}, kDtypeInt8);
  other_axis.quantize(r, {0.5f, 0.5f, 0.5f}, {0, 0, 0}, 1);
  other_axis.dynamic_dims(r, 0x1);
  other_axis.output(r);
  CHECK_EQ(error_of(other_axis.build()), std::string());

  // Any dimension may be marked; the shape rules hold on the bounds as on
  // static sizes.
  BlobBuilder more_bits = builder;
  more_bits.dynamic_dims(act, 0x3);
  CHECK_EQ(error_of(more_bits.build()), std::string());
  BlobBuilder bad_rule;
  const uint32_t a = bad_rule.input({4, 3});
  bad_rule.dynamic_dims(a, 0x1);
  const uint32_t out = bad_rule.op(OpCode::Relu, {a}, {8, 3});
  bad_rule.dynamic_dims(out, 0x1);
  bad_rule.output(out);
  CHECK_CONTAINS(
      error_of(bad_rule.build()), "has shape [8, 3], expected [4, 3]");
}

TEST(output_shapes_follow_the_rules_on_any_sizes) {
  // infer_output_shape() on the sizes of a call, as execute() uses it.
  BlobBuilder builder;
  const uint32_t x = builder.input({8, 3});
  const uint32_t w = builder.constant({5, 3}, "w");
  const uint32_t fc = builder.op(OpCode::Linear, {x, w, kNoTensor}, {8, 5});
  builder.dynamic_dims(x, 0x1);
  builder.dynamic_dims(fc, 0x1);
  builder.output(fc);
  auto parsed = parse(builder.build());
  CHECK(parsed.ok());
  if (!parsed.ok()) {
    return;
  }
  Graph& graph = parsed.get();
  graph.tensors[x].shape.sizes[0] = 3;
  Shape shape;
  ShapeError error;
  CHECK(infer_output_shape(graph.ops[0], graph.tensors, &shape, &error));
  CHECK_EQ(shape.rank, uint32_t(2));
  CHECK_EQ(shape.sizes[0], uint32_t(3));
  CHECK_EQ(shape.sizes[1], uint32_t(5));

  graph.tensors[x].shape.sizes[1] = 4;
  CHECK(!infer_output_shape(graph.ops[0], graph.tensors, &shape, &error));
  CHECK_CONTAINS(
      std::string(error.message),
      "input [3, 4] and weight [5, 3] do not match");
}

TEST(element_counts_that_overflow_are_refused) {
  BlobBuilder builder;
  const uint32_t big = 0xFFFFFFFF;
  const uint32_t x = builder.input({big, big, big});
  builder.output(x);
  CHECK_CONTAINS(error_of(builder.build()), "too large");

  // numel fits, numel * sizeof(float) does not.
  BlobBuilder bytes;
  bytes.output(bytes.input({0x40000000, 0x40000000, 0x4}));
  CHECK_CONTAINS(error_of(bytes.build()), "too large");
}

TEST(tensor_ids_out_of_range_are_refused) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, blob_test::inputs_offset(blob), 99);
  CHECK_CONTAINS(error_of(blob), "delegate input 0 refers to tensor 99");

  blob = valid_blob();
  set_u32(blob, blob_test::outputs_offset(blob), 8);
  CHECK_CONTAINS(error_of(blob), "delegate output 0 refers to tensor 8");

  blob = valid_blob();
  set_u32(blob, blob_test::constants_offset(blob), 1000);
  CHECK_CONTAINS(error_of(blob), "constant 0 refers to tensor 1000");

  blob = valid_blob();
  set_u32(blob, blob_test::op_input_ref_offset(blob, 1, 0), 0xFFFFFFFE);
  CHECK_CONTAINS(error_of(blob), "operand self refers to tensor 4294967294");

  blob = valid_blob();
  set_u32(blob, blob_test::op_output_ref_offset(blob, 3, 0), 12);
  CHECK_CONTAINS(error_of(blob), "output 0 refers to tensor 12");
}

TEST(string_offsets_out_of_range_are_refused) {
  std::vector<uint8_t> blob = valid_blob();
  const uint32_t table_size = get_u32(blob, blob_test::kStringTableSizeField);
  set_u32(blob, blob_test::op_offset(blob, 0) + 28, table_size);
  CHECK_CONTAINS(error_of(blob), "op 0 name spans");

  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 0) + 32, 0xFFFFFFFF);
  CHECK_CONTAINS(error_of(blob), "outside the");

  blob = valid_blob();
  set_u32(blob, blob_test::constants_offset(blob) + 4, 0xFFFFFFF0);
  set_u32(blob, blob_test::constants_offset(blob) + 8, 0x20);
  CHECK_CONTAINS(error_of(blob), "constant 0 key spans");
}

TEST(constant_records_are_checked) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, blob_test::constants_offset(blob) + 16, 44);
  CHECK_CONTAINS(error_of(blob), "declares 44 bytes");

  blob = valid_blob();
  set_u32(blob, blob_test::constants_offset(blob) + 12, 1);
  CHECK_CONTAINS(error_of(blob), "reserved");

  blob = valid_blob();
  set_u32(blob, blob_test::constants_offset(blob) + 8, 0);
  CHECK_CONTAINS(error_of(blob), "empty key");
}

TEST(unknown_opcodes_are_refused) {
  // The first opcode past the generated table, whatever its size.
  for (uint32_t opcode : {0u, kMaxOpCode + 1, 0xFFFFFFFFu}) {
    std::vector<uint8_t> blob = valid_blob();
    set_u32(blob, blob_test::op_offset(blob, 1), opcode);
    CHECK_CONTAINS(error_of(blob), "unknown opcode " + std::to_string(opcode));
  }
}

TEST(every_opcode_of_the_table_is_known) {
  for (const OpSchema& schema : kOpSchemas) {
    std::vector<uint8_t> blob = valid_blob();
    set_u32(
        blob,
        blob_test::op_offset(blob, 1),
        static_cast<uint32_t>(schema.opcode));
    CHECK(error_of(blob).find("unknown opcode") == std::string::npos);
  }
}

TEST(counts_are_checked_against_the_schema) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 0) + 8, 1); // add with one input
  CHECK_CONTAINS(error_of(blob), "has 1 inputs, expected 2");

  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 2) + 8, 4); // linear with four
  CHECK_CONTAINS(error_of(blob), "has 4 inputs, expected 3");

  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 1) + 16, 2); // relu with two outputs
  CHECK_CONTAINS(error_of(blob), "has 2 outputs, expected 1");

  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 0) + 24, 0); // add without alpha
  CHECK_CONTAINS(error_of(blob), "has 0 attributes, expected 1");

  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 1) + 36, 7);
  CHECK_CONTAINS(
      error_of(blob), "op 1 (relu 'relu') has a non-zero reserved field");
}

TEST(ref_and_attribute_ranges_are_checked) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 3) + 4, 0xFFFFFFFF); // inputs_first
  CHECK_CONTAINS(error_of(blob), "inputs spans tensor refs");

  blob = valid_blob();
  set_u32(
      blob,
      blob_test::op_offset(blob, 3) + 12,
      get_u32(blob, blob_test::kNumRefsField));
  CHECK_CONTAINS(error_of(blob), "outputs spans tensor refs");

  blob = valid_blob();
  set_u32(
      blob,
      blob_test::op_offset(blob, 0) + 20,
      1); // attrs_first past the one record
  CHECK_CONTAINS(error_of(blob), "attributes spans attributes");

  blob = valid_blob();
  set_u32(blob, blob_test::attr_offset(blob, 0) + 8, 5); // values_first
  CHECK_CONTAINS(error_of(blob), "attribute alpha spans values");
}

TEST(attributes_are_checked_against_the_schema) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, blob_test::attr_offset(blob, 0), 1); // alpha as an int
  CHECK_CONTAINS(
      error_of(blob),
      "attribute alpha has type 1 (int); the schema says 2 (float)");

  blob = valid_blob();
  set_u32(blob, blob_test::attr_offset(blob, 0) + 4, 2); // scalar with count 2
  CHECK_CONTAINS(error_of(blob), "is a scalar with count 2");

  blob = valid_blob();
  set_u32(blob, blob_test::attr_offset(blob, 0) + 12, 1);
  CHECK_CONTAINS(
      error_of(blob), "attribute alpha has a non-zero reserved field");

  blob = valid_blob();
  set_f64(
      blob,
      blob_test::values_offset(blob),
      std::numeric_limits<double>::quiet_NaN());
  CHECK_CONTAINS(error_of(blob), "attribute alpha value 0 is NaN");

  // Infinite bounds are how clamp stores an absent min or max.
  BlobBuilder clamp;
  const uint32_t x = clamp.input({3});
  clamp.output(clamp.op(
      OpCode::Clamp,
      {x},
      {3},
      {float_attr(-std::numeric_limits<double>::infinity()),
       float_attr(std::numeric_limits<double>::infinity())}));
  CHECK_EQ(error_of(clamp.build()), std::string());
}

TEST(optional_operands_may_be_absent_and_others_not) {
  BlobBuilder no_bias;
  const uint32_t x = no_bias.input({5, 3});
  const uint32_t w = no_bias.constant({4, 3}, "w");
  no_bias.output(
      no_bias.op(OpCode::Linear, {x, w, blob_test::kNoTensor}, {5, 4}));
  const auto result = parse(no_bias.build());
  CHECK(result.ok());
  if (result.ok()) {
    CHECK_EQ(result.get().ops[0].inputs[schema::linear::kInputBias], kNoTensor);
  }

  BlobBuilder no_weight;
  const uint32_t y = no_weight.input({5, 3});
  const uint32_t b = no_weight.constant({4}, "b");
  no_weight.output(
      no_weight.op(OpCode::Linear, {y, blob_test::kNoTensor, b}, {5, 4}));
  CHECK_CONTAINS(
      error_of(no_weight.build()),
      "operand weight is absent; it is not optional");
}

TEST(quantization_parameters_are_checked) {
  const auto quantized = [](uint32_t dtype,
                            std::vector<float> scales,
                            std::vector<int32_t> zero_points,
                            int axis) {
    BlobBuilder builder;
    const uint32_t q = builder.input({3, 2}, dtype);
    builder.quantize(q, std::move(scales), std::move(zero_points), axis);
    builder.output(q);
    return builder.build();
  };
  CHECK_EQ(error_of(quantized(kDtypeInt8, {0.5f}, {-128}, -1)), std::string());
  CHECK_EQ(
      error_of(quantized(kDtypeUInt8, {0.5f, 1.0f, 2.0f}, {0, 7, 255}, 0)),
      std::string());
  CHECK_EQ(
      error_of(quantized(kDtypeInt32, {0.5f, 1.0f}, {0, 0}, 1)), std::string());
  const auto parsed =
      parse(quantized(kDtypeUInt8, {0.5f, 1.0f, 2.0f}, {0, 7, 255}, 0));
  if (parsed.ok()) {
    const TensorInfo& tensor = parsed.get().tensors[0];
    CHECK(tensor.quant_scheme == QuantScheme::PerChannel);
    CHECK_EQ(tensor.qparams.size(), size_t(3));
    CHECK_EQ(tensor.qparams[1].zero_point, 7);
    CHECK_EQ(tensor.qparams[2].scale, 2.0f);
  }

  CHECK_CONTAINS(
      error_of(quantized(kDtypeFloat32, {0.5f}, {0}, -1)),
      "only int8, uint8 and int32");
  CHECK_CONTAINS(
      error_of(quantized(kDtypeInt8, {0.5f}, {128}, -1)),
      "zero point 0 is 128, outside -128..127");
  CHECK_CONTAINS(
      error_of(quantized(kDtypeInt32, {0.5f}, {1}, -1)), "outside 0..0");
  CHECK_CONTAINS(
      error_of(quantized(kDtypeInt8, {0.0f}, {0}, -1)),
      "scales are finite and > 0");
  CHECK_CONTAINS(
      error_of(quantized(
          kDtypeInt8, {std::numeric_limits<float>::infinity()}, {0}, -1)),
      "scales are finite and > 0");
  CHECK_CONTAINS(
      error_of(quantized(kDtypeInt8, {0.5f, 0.5f}, {0, 0}, 0)),
      "needs 3 qparams, has 2");
  CHECK_CONTAINS(
      error_of(quantized(kDtypeInt8, {0.5f, 0.5f}, {0, 0}, 2)),
      "along axis 2; its rank is 2");

  std::vector<uint8_t> blob = quantized(kDtypeInt8, {0.5f}, {0}, -1);
  set_u32(blob, blob_test::tensor_offset(blob, 0) + 44, 3);
  CHECK_CONTAINS(error_of(blob), "quant_scheme 3");

  blob = quantized(kDtypeInt8, {0.5f}, {0}, -1);
  set_u32(
      blob,
      blob_test::tensor_offset(blob, 0) + 52,
      1); // qparams_first past the end
  CHECK_CONTAINS(error_of(blob), "qparams spans qparams [1, 2)");

  blob = quantized(kDtypeInt8, {0.5f}, {0}, -1);
  set_u32(
      blob, blob_test::tensor_offset(blob, 0) + 44, 0); // none, with qparams
  CHECK_CONTAINS(error_of(blob), "is not quantized but has");
}

TEST(int8_convolution_takes_output_channel_weights_and_is_not_transposed) {
  // An int8 convolution takes per-channel weights along axis 0 (the output
  // channels); a transposed one computes in float32 (its weight's axis 0
  // holds the input channels).
  const auto convolution = [](bool transposed) {
    BlobBuilder builder;
    const uint32_t x = builder.input({1, 2, 5, 5}, kDtypeInt8);
    builder.quantize(x, {0.5f}, {1});
    const uint32_t w = builder.constant(
        transposed ? std::vector<uint32_t>{2, 3, 3, 3}
                   : std::vector<uint32_t>{3, 2, 3, 3},
        "w",
        kDtypeInt8);
    if (transposed) {
      builder.quantize(w, {0.1f}, {0});
    } else {
      builder.quantize(w, {0.1f, 0.2f, 0.3f}, {0, 0, 0}, 0);
    }
    const uint32_t out = builder.op(
        OpCode::Convolution,
        {x, w, kNoTensor},
        transposed ? std::vector<uint32_t>{1, 3, 7, 7}
                   : std::vector<uint32_t>{1, 3, 3, 3},
        {ints_attr({1, 1}),
         ints_attr({0, 0}),
         ints_attr({1, 1}),
         bool_attr(transposed),
         ints_attr({0, 0}),
         int_attr(1)});
    builder.quantize(out, {0.25f}, {-2});
    builder.output(out);
    std::vector<uint8_t> blob = builder.build();
    set_u32(blob, blob_test::tensor_offset(blob, out), kDtypeInt8);
    return blob;
  };
  CHECK_EQ(error_of(convolution(false)), std::string());
  CHECK_CONTAINS(
      error_of(convolution(true)),
      "a transposed convolution computes in float32, not int8");
}

TEST(converting_ops_go_the_direction_of_their_opcode) {
  // x (float32) -> quantize -> q (int8) -> dequantize -> y (float32).
  const auto converting = [](OpCode first, OpCode second) {
    BlobBuilder builder;
    const uint32_t x = builder.input({2, 3});
    const uint32_t q = builder.op(first, {x}, {2, 3});
    const uint32_t y = builder.op(second, {q}, {2, 3});
    builder.quantize(q, {0.5f}, {0});
    builder.output(y);
    std::vector<uint8_t> blob = builder.build();
    set_u32(blob, blob_test::tensor_offset(blob, q), kDtypeInt8);
    return blob;
  };
  CHECK_EQ(
      error_of(converting(OpCode::Quantize, OpCode::Dequantize)),
      std::string());
  // The dtypes alone would allow either direction; the kernels do not (a
  // dequantize reads its input's qparams, which a float32 input lacks).
  CHECK_CONTAINS(
      error_of(converting(OpCode::Dequantize, OpCode::Quantize)),
      "converts float32 to int8; it converts int8 to float32");
}

TEST(ops_read_only_tensors_defined_earlier) {
  BlobBuilder builder;
  const uint32_t x = builder.input({4});
  // Op 0 reads tensor 2, which op 1 writes.
  builder.op(OpCode::Relu, {2}, {4});
  builder.output(builder.op(OpCode::Tanh, {x}, {4}));
  CHECK_CONTAINS(
      error_of(builder.build()),
      "before any input, constant or earlier op defines it");
}

TEST(tensors_are_defined_exactly_once) {
  // An op writing a delegate input.
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, blob_test::op_output_ref_offset(blob, 1, 0), 0);
  CHECK_CONTAINS(error_of(blob), "already defined");

  // A tensor nothing defines.
  BlobBuilder builder;
  builder.output(builder.input({2}));
  builder.tensor({2});
  CHECK_CONTAINS(error_of(builder.build()), "tensor 1 is neither");

  // The same tensor listed twice as a delegate input.
  BlobBuilder twice;
  const uint32_t x = twice.input({2});
  twice.output(x);
  std::vector<uint8_t> twice_blob = twice.build();
  set_u32(twice_blob, blob_test::kNumInputsField, 2); // num_inputs 2 ...
  twice_blob.insert(
      twice_blob.begin() + blob_test::inputs_offset(twice_blob), {0, 0, 0, 0});
  set_u64(
      twice_blob,
      blob_test::kTotalSizeField,
      twice_blob.size()); // ... and total_size
  CHECK_CONTAINS(
      error_of(twice_blob),
      "delegate input 1 defines tensor 0, which is already defined");
}

TEST(broadcast_shapes_are_checked) {
  BlobBuilder builder;
  const uint32_t a = builder.input({2, 3});
  const uint32_t b = builder.input({4});
  builder.output(builder.op(OpCode::Add, {a, b}, {2, 3}, {float_attr(1.0)}));
  const std::string message = error_of(builder.build());
  CHECK_CONTAINS(message, "[2, 3] and [4] do not broadcast");

  BlobBuilder wrong_out;
  const uint32_t c = wrong_out.input({2, 1, 3});
  const uint32_t d = wrong_out.input({4, 1});
  wrong_out.output(wrong_out.op(OpCode::Div, {c, d}, {2, 4, 1}));
  CHECK_CONTAINS(
      error_of(wrong_out.build()), "has shape [2, 4, 1], expected [2, 4, 3]");

  BlobBuilder ok;
  const uint32_t e = ok.input({2, 1, 3});
  const uint32_t f = ok.input({4, 1});
  ok.output(ok.op(OpCode::Sub, {e, f}, {2, 4, 3}, {float_attr(1.0)}));
  CHECK_EQ(error_of(ok.build()), std::string());
}

TEST(unary_output_shape_is_checked) {
  BlobBuilder builder;
  const uint32_t x = builder.input({2, 3});
  builder.output(builder.op(
      OpCode::Clamp, {x}, {3, 2}, {float_attr(-1.0), float_attr(1.0)}));
  CHECK_CONTAINS(error_of(builder.build()), "expected [2, 3]");
}

TEST(linear_shapes_are_checked) {
  BlobBuilder mismatch;
  const uint32_t x = mismatch.input({5, 3});
  const uint32_t w = mismatch.constant({4, 2}, "w");
  mismatch.output(mismatch.op(OpCode::Linear, {x, w, kNoTensor}, {5, 4}));
  CHECK_CONTAINS(error_of(mismatch.build()), "do not match");

  BlobBuilder bias;
  const uint32_t x2 = bias.input({5, 3});
  const uint32_t w2 = bias.constant({4, 3}, "w");
  const uint32_t b2 = bias.constant({3}, "b");
  bias.output(bias.op(OpCode::Linear, {x2, w2, b2}, {5, 4}));
  CHECK_CONTAINS(error_of(bias.build()), "bias [3] must be [4]");

  BlobBuilder out;
  const uint32_t x3 = out.input({2, 5, 3});
  const uint32_t w3 = out.constant({4, 3}, "w");
  out.output(out.op(OpCode::Linear, {x3, w3, kNoTensor}, {10, 4}));
  CHECK_CONTAINS(error_of(out.build()), "expected [2, 5, 4]");

  BlobBuilder batched;
  const uint32_t x4 = batched.input({2, 5, 3});
  const uint32_t w4 = batched.constant({4, 3}, "w");
  batched.output(batched.op(OpCode::Linear, {x4, w4, kNoTensor}, {2, 5, 4}));
  CHECK_EQ(error_of(batched.build()), std::string());
}

TEST(mm_and_bmm_shapes_are_checked) {
  BlobBuilder mm;
  const uint32_t a = mm.input({2, 3});
  const uint32_t b = mm.input({4, 5});
  mm.output(mm.op(OpCode::Mm, {a, b}, {2, 5}));
  CHECK_CONTAINS(error_of(mm.build()), "are not [n, k] and [k, m]");

  BlobBuilder bmm;
  const uint32_t c = bmm.input({2, 3, 4});
  const uint32_t d = bmm.input({3, 4, 5});
  bmm.output(bmm.op(OpCode::Bmm, {c, d}, {2, 3, 5}));
  CHECK_CONTAINS(error_of(bmm.build()), "are not [b, n, k] and [b, k, m]");

  BlobBuilder ok;
  const uint32_t e = ok.input({2, 3, 4});
  const uint32_t f = ok.input({2, 4, 5});
  ok.output(ok.op(OpCode::Bmm, {e, f}, {2, 3, 5}));
  CHECK_EQ(error_of(ok.build()), std::string());
}

namespace {

// The parse error of a blob with one op: input `in` -> op -> output `out`.
std::string layout_error(
    OpCode opcode,
    std::vector<uint32_t> in,
    std::vector<uint32_t> out,
    std::vector<blob_test::AttrValue> attrs) {
  BlobBuilder builder;
  const uint32_t x = builder.input(std::move(in));
  builder.output(builder.op(opcode, {x}, std::move(out), std::move(attrs)));
  return error_of(builder.build());
}

} // namespace

TEST(view_shapes_are_checked) {
  CHECK_EQ(
      layout_error(OpCode::ViewCopy, {2, 3, 4}, {6, 4}, {ints_attr({-1, 4})}),
      std::string());
  CHECK_CONTAINS(
      layout_error(OpCode::ViewCopy, {2, 3}, {5}, {ints_attr({5})}),
      "cannot view [2, 3] as attribute size");
  CHECK_CONTAINS(
      layout_error(OpCode::ViewCopy, {2, 3}, {6}, {ints_attr({-1, -1})}),
      "one of them may be -1");
  CHECK_CONTAINS(
      layout_error(OpCode::ViewCopy, {2, 3}, {6}, {ints_attr({0, -1})}),
      "cannot view");
  // -6 is a dimension reference (FORMAT.md): to dimension 4 of tensor 0.
  CHECK_CONTAINS(
      layout_error(OpCode::ViewCopy, {2, 3}, {6}, {ints_attr({-6})}),
      "a reference names a dimension of a delegate input");
  CHECK_CONTAINS(
      layout_error(OpCode::ViewCopy, {2, 3}, {3, 2}, {ints_attr({2, 3})}),
      "has shape [3, 2], expected [2, 3]");
}

TEST(permute_shapes_are_checked) {
  CHECK_EQ(
      layout_error(
          OpCode::PermuteCopy, {2, 3, 4}, {4, 2, 3}, {ints_attr({-1, 0, 1})}),
      std::string());
  CHECK_CONTAINS(
      layout_error(
          OpCode::PermuteCopy, {2, 3, 4}, {2, 2, 3}, {ints_attr({0, 0, 1})}),
      "not a permutation");
  CHECK_CONTAINS(
      layout_error(OpCode::PermuteCopy, {2, 3}, {3, 2}, {ints_attr({1})}),
      "not a permutation");
  CHECK_CONTAINS(
      layout_error(OpCode::PermuteCopy, {2, 3}, {3, 2}, {ints_attr({1, 2})}),
      "not a permutation");
}

TEST(squeeze_and_unsqueeze_shapes_are_checked) {
  CHECK_EQ(
      layout_error(OpCode::SqueezeCopy, {1, 3, 1}, {3}, {ints_attr({0, 1, 2})}),
      std::string());
  CHECK_CONTAINS(
      layout_error(OpCode::SqueezeCopy, {1, 3}, {3}, {ints_attr({0, -2})}),
      "outside the rank 2 or repeated");
  CHECK_CONTAINS(
      layout_error(OpCode::SqueezeCopy, {1, 3}, {3}, {ints_attr({2})}),
      "outside the rank 2");
  CHECK_CONTAINS(
      layout_error(OpCode::SqueezeCopy, {1, 3}, {1, 3}, {ints_attr({0})}),
      "expected [3]");
  CHECK_EQ(
      layout_error(OpCode::UnsqueezeCopy, {2, 3}, {2, 3, 1}, {int_attr(-1)}),
      std::string());
  CHECK_CONTAINS(
      layout_error(OpCode::UnsqueezeCopy, {2, 3}, {2, 3, 1}, {int_attr(3)}),
      "attribute dim is 3, outside the rank 3");
  CHECK_CONTAINS(
      layout_error(
          OpCode::UnsqueezeCopy,
          {1, 1, 1, 1, 1, 1, 1, 1},
          {1, 1, 1, 1, 1, 1, 1, 1},
          {int_attr(0)}),
      "more than 8 dimensions");
}

TEST(expand_shapes_are_checked) {
  CHECK_EQ(
      layout_error(
          OpCode::ExpandCopy, {3, 1}, {2, 3, 4}, {ints_attr({2, -1, 4})}),
      std::string());
  CHECK_CONTAINS(
      layout_error(OpCode::ExpandCopy, {3, 2}, {3, 4}, {ints_attr({3, 4})}),
      "cannot expand [3, 2] to attribute size");
  CHECK_CONTAINS(
      layout_error(OpCode::ExpandCopy, {3}, {2, 3}, {ints_attr({-1, 3})}),
      "cannot expand");
  CHECK_CONTAINS(
      layout_error(OpCode::ExpandCopy, {2, 3}, {3}, {ints_attr({3})}),
      "cannot expand");
}

// A size entry below -1 names a delegate input's dimension: -2 - (8 x tensor
// + dim) (FORMAT.md, "Dimension references"); the rules see its recorded size.
TEST(size_entries_may_name_a_delegate_input_dimension) {
  constexpr int64_t kBatch = -2 - (8 * 0 + 1); // tensor 0, dimension 1
  BlobBuilder full;
  const uint32_t x = full.input({5, 4, 16});
  full.dynamic_dims(x, 0x2);
  const uint32_t state = full.op(
      OpCode::Full,
      {},
      {1, 4, 32},
      {ints_attr({1, kBatch, 32}), float_attr(0)});
  full.dynamic_dims(state, 0x2);
  full.output(state);
  CHECK_EQ(error_of(full.build()), std::string());

  CHECK_EQ(
      layout_error(
          OpCode::ExpandCopy,
          {3, 1},
          {3, 3, 4},
          {ints_attr({kBatch + 1, -1, 4})}),
      std::string()); // dimension 0 of the input itself: 3
  CHECK_EQ(
      layout_error(OpCode::ViewCopy, {2, 3}, {3, 2}, {ints_attr({-3, -1})}),
      std::string());

  // Beyond the input's rank, and a tensor that is not a delegate input.
  CHECK_CONTAINS(
      layout_error(OpCode::ExpandCopy, {3, 1}, {3, 3}, {ints_attr({-4, 3})}),
      "attribute size has -4, a reference to dimension 2 of tensor 0; a "
      "reference names a dimension of a delegate input");
  BlobBuilder chained;
  const uint32_t y = chained.input({2, 3});
  const uint32_t z = chained.op(OpCode::Relu, {y}, {2, 3});
  chained.output(
      chained.op(OpCode::ExpandCopy, {z}, {2, 3}, {ints_attr({-2 - 8, 3})}));
  CHECK_CONTAINS(
      error_of(chained.build()),
      "a reference to dimension 0 of tensor 1; a reference names a dimension "
      "of a delegate input");
  CHECK_CONTAINS(
      layout_error(OpCode::ViewCopy, {2, 3}, {6}, {ints_attr({INT64_MIN})}),
      "a reference names a dimension of a delegate input");
}

TEST(adaptive_pool2d_shapes_are_checked) {
  const OpCode pool = OpCode::AdaptiveAvgPool2d;
  CHECK_EQ(
      layout_error(pool, {1, 2, 7, 7}, {1, 2, 3, 5}, {ints_attr({3, 5})}),
      std::string());
  CHECK_EQ(
      layout_error(pool, {3, 2, 4}, {3, 5, 6}, {ints_attr({5, 6})}),
      std::string());
  CHECK_CONTAINS(
      layout_error(pool, {1, 2, 7, 7}, {1, 2, 3, 4}, {ints_attr({3, 5})}),
      "expected [1, 2, 3, 5]");
  CHECK_CONTAINS(
      layout_error(pool, {2, 7, 7}, {2, 1, 5}, {ints_attr({0, 5})}),
      "attribute output_size needs 2 values >= 1");
  CHECK_CONTAINS(
      layout_error(pool, {7, 7}, {1, 1}, {ints_attr({1, 1})}),
      "is not [n, c, h, w] or [c, h, w]");
  CHECK_CONTAINS(
      layout_error(pool, {1, 2, 0, 7}, {1, 2, 1, 1}, {ints_attr({1, 1})}),
      "needs a height and width >= 1");
}

TEST(slice_and_select_shapes_are_checked) {
  const auto slice = [](int64_t dim, int64_t start, int64_t end, int64_t step) {
    return std::vector<blob_test::AttrValue>{
        int_attr(dim), int_attr(start), int_attr(end), int_attr(step)};
  };
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  CHECK_EQ(
      layout_error(OpCode::SliceCopy, {4, 7}, {4, 3}, slice(1, 0, kMax, 3)),
      std::string());
  CHECK_EQ(
      layout_error(OpCode::SliceCopy, {5}, {5}, slice(0, kMin, kMax, 1)),
      std::string());
  CHECK_EQ(
      layout_error(OpCode::SliceCopy, {5}, {0}, slice(-1, 4, 2, 1)),
      std::string());
  CHECK_CONTAINS(
      layout_error(OpCode::SliceCopy, {5}, {5}, slice(0, 0, 5, 0)),
      "attribute step is 0; it must be at least 1");
  CHECK_CONTAINS(
      layout_error(OpCode::SliceCopy, {5}, {5}, slice(1, 0, 5, 1)),
      "attribute dim is 1, outside the rank 1");
  CHECK_CONTAINS(
      layout_error(OpCode::SliceCopy, {}, {}, slice(0, 0, 1, 1)),
      "cannot slice a rank-0 tensor");
  CHECK_CONTAINS(
      layout_error(OpCode::SliceCopy, {6}, {3}, slice(0, -3, -1, 1)),
      "expected [2]");
  CHECK_EQ(
      layout_error(
          OpCode::SelectCopy, {2, 3}, {2}, {int_attr(-1), int_attr(-3)}),
      std::string());
  CHECK_CONTAINS(
      layout_error(OpCode::SelectCopy, {2, 3}, {2}, {int_attr(1), int_attr(3)}),
      "attribute index 3 is outside dimension 1 of [2, 3]");
  CHECK_CONTAINS(
      layout_error(OpCode::SelectCopy, {}, {}, {int_attr(0), int_attr(0)}),
      "cannot select from a rank-0 tensor");
}

namespace {

// The parse error of cat(inputs along dim 1) -> out.
std::string cat_error(
    std::vector<std::vector<uint32_t>> inputs,
    std::vector<uint32_t> out) {
  BlobBuilder builder;
  std::vector<uint32_t> ids;
  for (std::vector<uint32_t>& sizes : inputs) {
    ids.push_back(builder.input(std::move(sizes)));
  }
  builder.output(
      builder.op(OpCode::Cat, std::move(ids), std::move(out), {int_attr(1)}));
  return error_of(builder.build());
}

// The parse error of split(x [2, 3] into split_sizes along dim -1) -> outs.
std::string split_error(
    std::vector<int64_t> split_sizes,
    const std::vector<std::vector<uint32_t>>& outs) {
  BlobBuilder builder;
  const uint32_t x = builder.input({2, 3});
  for (const uint32_t id : builder.op_outputs(
           OpCode::Split,
           {x},
           outs,
           {ints_attr(std::move(split_sizes)), int_attr(-1)})) {
    builder.output(id);
  }
  return error_of(builder.build());
}

} // namespace

TEST(variadic_operands_and_outputs_are_checked) {
  const std::vector<uint32_t> one{2, 1};
  const std::vector<uint32_t> two{2, 2};
  const std::vector<uint32_t> three{2, 3};
  const std::vector<uint32_t> four{2, 4};
  CHECK_EQ(cat_error({one, two, four}, {2, 7}), std::string());
  CHECK_CONTAINS(
      cat_error({one, {3, 2}}, {2, 3}),
      "cannot join [2, 1] and [3, 2] along dimension 1");
  CHECK_CONTAINS(cat_error({one, two}, {2, 4}), "expected [2, 3]");
  CHECK_CONTAINS(cat_error({}, {2, 3}), "has 0 inputs, expected at least 1");
  CHECK_EQ(split_error({1, 2}, {one, two}), std::string());
  CHECK_CONTAINS(
      split_error({1, 2}, {one}),
      "has 1 outputs; attribute split_sizes gives 2");
  CHECK_CONTAINS(split_error({1, 1}, {one, one}), "split sizes add up to 2");
  CHECK_CONTAINS(
      split_error({1, 2}, {one, three}), "has shape [2, 3], expected [2, 2]");
  // execute() computes every output's shape of each call: a split's tensors
  // may have dynamic dimensions.
  BlobBuilder dynamic;
  const uint32_t x = dynamic.input({2, 3});
  dynamic.dynamic_dims(x, 0x1);
  for (const uint32_t id : dynamic.op_outputs(
           OpCode::Split, {x}, {one, two}, {ints_attr({1, 2}), int_attr(-1)})) {
    dynamic.dynamic_dims(id, 0x1);
    dynamic.output(id);
  }
  CHECK_EQ(error_of(dynamic.build()), std::string());
}

TEST(attention_and_layer_norm_shapes_are_checked) {
  const auto attention = [](std::vector<uint32_t> k,
                            std::vector<uint32_t> out) {
    BlobBuilder builder;
    const uint32_t q = builder.input({2, 4, 3});
    const uint32_t key = builder.input(std::move(k));
    const uint32_t v = builder.input({2, 5, 6});
    builder.output(builder.op(
        OpCode::ScaledDotProductAttention,
        {q, key, v, kNoTensor},
        std::move(out),
        {bool_attr(false), float_attr(0.0)}));
    return error_of(builder.build());
  };
  CHECK_EQ(attention({2, 5, 3}, {2, 4, 6}), std::string());
  CHECK_CONTAINS(attention({2, 5, 4}, {2, 4, 6}), "are not [..., l, e]");
  CHECK_CONTAINS(attention({2, 5, 3}, {2, 4, 3}), "expected [2, 4, 6]");
  const auto layer_norm = [](std::vector<int64_t> normalized) {
    BlobBuilder builder;
    const uint32_t x = builder.input({2, 3, 4});
    builder.output(builder.op(
        OpCode::LayerNorm,
        {x, kNoTensor, kNoTensor},
        {2, 3, 4},
        {ints_attr(std::move(normalized)), float_attr(1e-5)}));
    return error_of(builder.build());
  };
  CHECK_EQ(layer_norm({3, 4}), std::string());
  CHECK_CONTAINS(
      layer_norm({3}), "normalized_shape is not the trailing dimensions");
}

TEST(op_names_in_messages_are_printable) {
  BlobBuilder builder;
  const uint32_t a = builder.input({2});
  const uint32_t b = builder.input({3});
  builder.output(
      builder.op(OpCode::Add, {a, b}, {2}, {float_attr(1.0)}, "bad\nname"));
  const std::string message = error_of(builder.build());
  CHECK_CONTAINS(message, "'bad?name'");
  CHECK(message.find('\n') == std::string::npos);
}

int main() {
  return test_harness::run_all_tests();
}
