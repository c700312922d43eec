// parse_graph(): a valid blob becomes the expected graph, and every rule of
// FORMAT.md that a blob can break is refused with a message that names it.

#include "blob_builder.h"
#include "test_harness.h"

#include <{{ cookiecutter.package_name }}/runtime/{{ cookiecutter.class_prefix }}Graph.h>

#include <limits>

using namespace {{ cookiecutter.__cpp_namespace }};
using blob_test::BlobBuilder;
using blob_test::get_u32;
using blob_test::set_u32;

namespace {

ParseResult parse(const std::vector<uint8_t>& blob) {
  return parse_graph(blob.data(), blob.size());
}

// The parse error message, or "" when the blob was accepted.
std::string error_of(const std::vector<uint8_t>& blob) {
  const ParseResult result = parse(blob);
  const auto* error = std::get_if<ParseError>(&result);
  return error == nullptr ? "" : error->message;
}

std::vector<uint8_t> valid_blob() {
  return blob_test::small_mlp_builder().build();
}

} // namespace

TEST(valid_blob_parses_into_the_graph) {
  const ParseResult result = parse(valid_blob());
  CHECK(std::holds_alternative<Graph>(result));
  if (!std::holds_alternative<Graph>(result)) {
    return;
  }
  const Graph& graph = std::get<Graph>(result);
  CHECK_EQ(graph.tensors.size(), size_t(8));
  CHECK_EQ(graph.ops.size(), size_t(4));
  CHECK_EQ(graph.input_ids.size(), size_t(2));
  CHECK_EQ(graph.output_ids.size(), size_t(1));
  CHECK_EQ(graph.constants.size(), size_t(2));
  CHECK(graph.ops[0].opcode == OpCode::Add);
  CHECK_EQ(graph.ops[0].params[0], 1.0f);
  CHECK(graph.ops[2].opcode == OpCode::Linear);
  CHECK_EQ(graph.ops[2].num_inputs, 3u);
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
  const ParseResult null_result = parse_graph(nullptr, 10);
  CHECK(std::holds_alternative<ParseError>(null_result));
  if (const auto* error = std::get_if<ParseError>(&null_result)) {
    CHECK_CONTAINS(error->message, "null");
  }
  CHECK_CONTAINS(error_of({}), "shorter than the 48-byte header");
  std::vector<uint8_t> blob = valid_blob();
  blob.resize(47);
  CHECK_CONTAINS(error_of(blob), "47 bytes");
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
  set_u32(blob, 4, 2);
  const std::string message = error_of(blob);
  CHECK_CONTAINS(message, "version 2");
  CHECK_CONTAINS(message, "version 1");
}

// Names and keys reach log messages, whose Python sink aborts on bad UTF-8
// (found by tests/test_runtime_robustness.py flipping a bit of a key).
TEST(strings_must_be_valid_utf8) {
  const auto blob_with = [](const std::string& key, const std::string& name) {
    BlobBuilder builder;
    const uint32_t x = builder.input({3});
    const uint32_t c = builder.constant({3}, key);
    builder.output(builder.op(OpCode::Add, {x, c}, {3}, 1.0f, 0.0f, name));
    return builder.build();
  };
  // Multi-byte characters (2, 3 and 4 bytes) are fine.
  CHECK_EQ(error_of(blob_with("w\xC3\xA9", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80")), std::string());
  const char* bad[] = {
      "k\xC2" "A",         // lead byte without its continuation
      "k\xC3",             // cut off at the end
      "k\x80",             // stray continuation byte
      "k\xC0\xAF",         // overlong '/'
      "k\xED\xA0\x80",     // UTF-16 surrogate
      "k\xF4\x90\x80\x80", // above U+10FFFF
      "k\xFF",             // never valid
  };
  for (const char* key : bad) {
    CHECK_CONTAINS(error_of(blob_with(key, "add")), "constant 0 key is not valid UTF-8");
    CHECK_CONTAINS(error_of(blob_with("w", key)), "is not valid UTF-8");
  }
}

TEST(header_fields_are_checked) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, 8, 52);
  CHECK_CONTAINS(error_of(blob), "header_size is 52");

  blob = valid_blob();
  set_u32(blob, 36, 1);
  CHECK_CONTAINS(error_of(blob), "flags");
}

TEST(section_sizes_must_add_up) {
  // One more op than the blob holds: total_size still matches the buffer,
  // the sections do not.
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, 16, get_u32(blob, 16) + 1);
  CHECK_CONTAINS(error_of(blob), "sections add up to");

  // Counts so large that the section sizes would overflow 32-bit math.
  blob = valid_blob();
  for (size_t field = 12; field <= 32; field += 4) {
    set_u32(blob, field, 0xFFFFFFFF);
  }
  CHECK_CONTAINS(error_of(blob), "sections add up to");
}

TEST(tensor_records_are_checked) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, blob_test::tensor_offset(blob, 0), 4); // int64
  const std::string dtype_message = error_of(blob);
  CHECK_CONTAINS(dtype_message, "dtype 4");
  CHECK_CONTAINS(dtype_message, "float32");

  blob = valid_blob();
  set_u32(blob, blob_test::tensor_offset(blob, 0) + 4, 9);
  CHECK_CONTAINS(error_of(blob), "rank 9");

  blob = valid_blob();
  set_u32(blob, blob_test::tensor_offset(blob, 0) + 8 + 4 * 5, 7);
  CHECK_CONTAINS(error_of(blob), "size[5] is 7");
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
  set_u32(blob, blob_test::op_offset(blob, 1) + 8, 0xFFFFFFFE);
  CHECK_CONTAINS(error_of(blob), "input 0 refers to tensor 4294967294");

  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 3) + 20, 12);
  CHECK_CONTAINS(error_of(blob), "output refers to tensor 12");
}

TEST(string_offsets_out_of_range_are_refused) {
  std::vector<uint8_t> blob = valid_blob();
  const uint32_t table_size = get_u32(blob, 32);
  set_u32(blob, blob_test::op_offset(blob, 0) + 32, table_size);
  CHECK_CONTAINS(error_of(blob), "op 0 name spans");

  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 0) + 36, 0xFFFFFFFF);
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
  for (uint32_t opcode : {0u, 12u, 0xFFFFFFFFu}) {
    std::vector<uint8_t> blob = valid_blob();
    set_u32(blob, blob_test::op_offset(blob, 1), opcode);
    CHECK_CONTAINS(error_of(blob), "unknown opcode " + std::to_string(opcode));
  }
}

TEST(input_counts_are_checked_per_opcode) {
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 0) + 4, 1); // add with one input
  CHECK_CONTAINS(error_of(blob), "has 1 inputs, expected 2");

  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 2) + 4, 4); // linear with four
  CHECK_CONTAINS(error_of(blob), "expected 2 or 3");

  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 1) + 4, 2); // relu with two
  CHECK_CONTAINS(error_of(blob), "has 2 inputs, expected 1");

  // relu's unused second slot must hold the marker.
  blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 1) + 12, 0);
  CHECK_CONTAINS(error_of(blob), "unused input slot 1");
}

TEST(ops_read_only_tensors_defined_earlier) {
  BlobBuilder builder;
  const uint32_t x = builder.input({4});
  // Op 0 reads tensor 2, which op 1 writes.
  builder.op(OpCode::Relu, {2}, {4});
  builder.output(builder.op(OpCode::Tanh, {x}, {4}));
  CHECK_CONTAINS(error_of(builder.build()), "before any input, constant or earlier op defines it");
}

TEST(tensors_are_defined_exactly_once) {
  // An op writing a delegate input.
  std::vector<uint8_t> blob = valid_blob();
  set_u32(blob, blob_test::op_offset(blob, 1) + 20, 0);
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
  set_u32(twice_blob, 20, 2); // num_inputs 2 ...
  twice_blob.insert(twice_blob.begin() + blob_test::inputs_offset(twice_blob), {0, 0, 0, 0});
  set_u32(twice_blob, 40, static_cast<uint32_t>(twice_blob.size())); // ... and total_size
  CHECK_CONTAINS(error_of(twice_blob), "delegate input 1 defines tensor 0, which is already defined");
}

TEST(broadcast_shapes_are_checked) {
  BlobBuilder builder;
  const uint32_t a = builder.input({2, 3});
  const uint32_t b = builder.input({4});
  builder.output(builder.op(OpCode::Add, {a, b}, {2, 3}));
  const std::string message = error_of(builder.build());
  CHECK_CONTAINS(message, "[2, 3] and [4] do not broadcast");

  BlobBuilder wrong_out;
  const uint32_t c = wrong_out.input({2, 1, 3});
  const uint32_t d = wrong_out.input({4, 1});
  wrong_out.output(wrong_out.op(OpCode::Div, {c, d}, {2, 4, 1}));
  CHECK_CONTAINS(error_of(wrong_out.build()), "has shape [2, 4, 1], expected [2, 4, 3]");

  BlobBuilder ok;
  const uint32_t e = ok.input({2, 1, 3});
  const uint32_t f = ok.input({4, 1});
  ok.output(ok.op(OpCode::Sub, {e, f}, {2, 4, 3}));
  CHECK_EQ(error_of(ok.build()), std::string());
}

TEST(unary_output_shape_is_checked) {
  BlobBuilder builder;
  const uint32_t x = builder.input({2, 3});
  builder.output(builder.op(OpCode::Clamp, {x}, {3, 2}, -1.0f, 1.0f));
  CHECK_CONTAINS(error_of(builder.build()), "expected [2, 3]");
}

TEST(linear_shapes_are_checked) {
  BlobBuilder mismatch;
  const uint32_t x = mismatch.input({5, 3});
  const uint32_t w = mismatch.constant({4, 2}, "w");
  mismatch.output(mismatch.op(OpCode::Linear, {x, w}, {5, 4}));
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
  out.output(out.op(OpCode::Linear, {x3, w3}, {10, 4}));
  CHECK_CONTAINS(error_of(out.build()), "expected [2, 5, 4]");

  BlobBuilder batched;
  const uint32_t x4 = batched.input({2, 5, 3});
  const uint32_t w4 = batched.constant({4, 3}, "w");
  batched.output(batched.op(OpCode::Linear, {x4, w4}, {2, 5, 4}));
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

TEST(op_names_in_messages_are_printable) {
  BlobBuilder builder;
  const uint32_t a = builder.input({2});
  const uint32_t b = builder.input({3});
  builder.output(builder.op(OpCode::Add, {a, b}, {2}, 1.0f, 0.0f, "bad\nname"));
  const std::string message = error_of(builder.build());
  CHECK_CONTAINS(message, "'bad?name'");
  CHECK(message.find('\n') == std::string::npos);
}

int main() {
  return test_harness::run_all_tests();
}
