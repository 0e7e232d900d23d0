// src/otlp: the protobuf and JSON decoders (strictness, limits), bounded inflation, Python JSON
// loading, MLflow's span conversion (content text computed with MLflow 3.6 itself), the GenAI
// translations, previews and token usage.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "otlp/decompress.hpp"
#include "otlp/genai_translation.hpp"
#include "otlp/json_decoder.hpp"
#include "otlp/otlp_error.hpp"
#include "otlp/protobuf_decoder.hpp"
#include "otlp/python_text.hpp"
#include "otlp/span_conversion.hpp"
#include "otlp/token_usage.hpp"
#include "otlp/trace_preview.hpp"
#include "util/python_json_loads.hpp"

using namespace sextant;
using otlp::OtlpError;

namespace {

// --- a tiny protobuf writer ---
std::string varint(std::uint64_t v) {
  std::string out;
  do {
    unsigned char b = v & 0x7f;
    v >>= 7;
    out += static_cast<char>(v ? (b | 0x80) : b);
  } while (v);
  return out;
}
std::string tag(unsigned n, unsigned wire) { return varint((n << 3) | wire); }
std::string len(unsigned n, const std::string& payload) { return tag(n, 2) + varint(payload.size()) + payload; }
std::string fixed64(unsigned n, std::uint64_t v) {
  std::string out = tag(n, 1);
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}
std::string kv_string(const std::string& k, const std::string& v) { return len(1, k) + len(2, len(1, v)); }
std::string kv_int(const std::string& k, std::int64_t v) {
  return len(1, k) + len(2, tag(3, 0) + varint(static_cast<std::uint64_t>(v)));
}
std::string bytes16(unsigned char last) { return std::string(15, '\x0a') + static_cast<char>(last); }
std::string bytes8(unsigned char last) { return std::string(7, '\x0b') + static_cast<char>(last); }

std::string span(const std::string& trace, const std::string& id, const std::string& parent, const std::string& extra = "") {
  std::string s = len(1, trace) + len(2, id);
  if (!parent.empty()) s += len(4, parent);
  return s + len(5, "s") + fixed64(7, 1'000'000'000) + fixed64(8, 3'000'000'000) + extra;
}
std::string request(const std::string& spans) { return len(1, len(2, spans)); }

OtlpError::Kind kind_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const OtlpError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no OtlpError";
  return OtlpError::Kind::Unconvertible;
}

}  // namespace

TEST(OtlpProtobuf, DecodesSpansAttributesEventsStatus) {
  std::string s = span(bytes16(1), bytes8(2), "", len(9, kv_string("k", "v")) + len(9, kv_int("n", -7)) +
                                                      len(11, fixed64(1, 5) + len(2, "ev")) + len(15, len(2, "m") + tag(3, 0) + varint(2)) +
                                                      tag(99, 0) + varint(1));  // unknown field skipped
  auto r = otlp::decode_protobuf(request(len(2, s)));
  ASSERT_EQ(r.span_count(), 1u);
  const auto& sp = r.resource_spans[0].scope_spans[0].spans[0];
  EXPECT_EQ(sp.trace_id, bytes16(1));
  EXPECT_EQ(sp.start_time_unix_nano, 1'000'000'000u);
  ASSERT_EQ(sp.attributes.size(), 2u);
  EXPECT_EQ(sp.attributes[1].value.integer, -7);
  ASSERT_EQ(sp.events.size(), 1u);
  EXPECT_EQ(sp.events[0].name, "ev");
  EXPECT_EQ(sp.status.code, 2);
  EXPECT_EQ(sp.status.message, "m");
}

TEST(OtlpProtobuf, StrictAboutTheWire) {
  const char* cases[] = {"\x0a\x05\x00", "\x0a", "\x0b", "\x02\x00", "\x08\x01", "\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"};
  for (const char* c : cases) {
    EXPECT_EQ(kind_of([&] { otlp::decode_protobuf(std::string(c, std::strlen(c) ? std::strlen(c) : 1)); }),
              OtlpError::Kind::Malformed)
        << c;
  }
  // A string that is not UTF-8.
  EXPECT_EQ(kind_of([&] { otlp::decode_protobuf(request(len(2, len(5, "\xff")))); }), OtlpError::Kind::Malformed);
  // Nesting past the depth limit.
  std::string deep = len(1, "x");
  for (int i = 0; i < 80; ++i) deep = len(5, len(1, deep));
  std::string attr = len(9, len(1, "k") + len(2, deep));
  EXPECT_EQ(kind_of([&] { otlp::decode_protobuf(request(len(2, span(bytes16(1), bytes8(1), "", attr)))); }),
            OtlpError::Kind::Malformed);
  // Many empty spans: the model budget, not memory, gives way.
  std::string many;
  for (int i = 0; i < 10000; ++i) many += len(2, "");
  otlp::DecodeLimits small;
  small.max_model_bytes = 100000;
  EXPECT_EQ(kind_of([&] { otlp::decode_protobuf(request(many), small); }), OtlpError::Kind::TooLarge);
  EXPECT_EQ(otlp::decode_protobuf("").resource_spans.size(), 0u);
}

TEST(OtlpJson, DecodesTheOtlpJsonMapping) {
  auto r = otlp::decode_json(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A01",
    "spanId":"0b0b0b0b0b0b0b02","parentSpanId":"","name":"n","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"5",
    "end_time_unix_nano":6,"status":{"code":2,"message":"x"},"attributes":[{"key":"a","value":{"intValue":"-3"}},
    {"key":"b","value":{"bytesValue":"AAH/"}},{"key":"c","value":{"doubleValue":"Infinity"}},{"key":"d","value":{}}],
    "events":[{"timeUnixNano":7,"name":"e"}],"unknown":{"x":1}}]}]}]})");
  const auto& sp = r.resource_spans.at(0).scope_spans.at(0).spans.at(0);
  EXPECT_EQ(sp.trace_id, bytes16(1));
  EXPECT_EQ(sp.kind, 2);
  EXPECT_EQ(sp.start_time_unix_nano, 5u);
  EXPECT_EQ(sp.end_time_unix_nano, 6u);
  EXPECT_EQ(sp.attributes[0].value.integer, -3);
  EXPECT_EQ(sp.attributes[1].value.text, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(sp.attributes[3].value.kind, otlp::AnyValue::Kind::None);
  for (const char* bad : {"[1]", R"({"resourceSpans":{}})", R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz0"}]}]}]})",
                          R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"1.5"}]}]}]})",
                          R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"stringValue":"a","boolValue":true}}]}]}]}]})",
                          "not json",
                          // a number literal too large for a double (nlohmann's out_of_range, found by fuzz_otlp)
                          R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"s","value":1)"
                          "11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
                          "11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
                          "11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
                          "11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
                          R"(}]}]}]}]})"}) {
    EXPECT_EQ(kind_of([&] { otlp::decode_json(bad); }), OtlpError::Kind::Malformed) << bad;
  }
  try {
    otlp::decode_json("\x0a\x02");
    FAIL();
  } catch (const OtlpError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("not JSON: "));
  }
}

TEST(OtlpInflate, GzipDeflateAndTheCap) {
  std::string text(100000, 'a');
  auto compress = [&](int window) {
    z_stream zs{};
    deflateInit2(&zs, 9, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY);
    std::string out(compressBound(text.size()) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(text.data());
    zs.avail_in = static_cast<uInt>(text.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
  };
  EXPECT_EQ(otlp::inflate_body(compress(16 + 15), otlp::Encoding::Gzip, 200000), text);
  EXPECT_EQ(otlp::inflate_body(compress(15), otlp::Encoding::Deflate, 200000), text);
  EXPECT_EQ(otlp::inflate_body(compress(-15), otlp::Encoding::Deflate, 200000), text);
  EXPECT_EQ(kind_of([&] { otlp::inflate_body(compress(16 + 15), otlp::Encoding::Gzip, 99999); }), OtlpError::Kind::TooLarge);
  std::string gz = compress(16 + 15);
  EXPECT_EQ(kind_of([&] { otlp::inflate_body(gz.substr(0, gz.size() - 4), otlp::Encoding::Gzip, 200000); }),
            OtlpError::Kind::Malformed);
  EXPECT_EQ(kind_of([&] { otlp::inflate_body(gz + "x", otlp::Encoding::Gzip, 200000); }), OtlpError::Kind::Malformed);
  EXPECT_EQ(otlp::parse_content_encoding(" GZIP "), otlp::Encoding::Gzip);
  EXPECT_EQ(otlp::parse_content_encoding(""), otlp::Encoding::Identity);
  EXPECT_FALSE(otlp::parse_content_encoding("br"));
}

TEST(OtlpPythonJson, LoadsLikePython) {
  using S = util::PythonJsonLoad::Status;
  EXPECT_EQ(util::python_json_loads(" NaN ").status, S::Ok);
  EXPECT_TRUE(std::isinf(util::python_json_loads("-Infinity").value.get<double>()));
  EXPECT_EQ(util::python_json_loads("01").status, S::Invalid);
  EXPECT_EQ(util::python_json_loads("1.").status, S::Invalid);
  EXPECT_EQ(util::python_json_loads("\"a\nb\"").status, S::Invalid);
  auto dup = util::python_json_loads(R"({"a": 1, "b": 2, "a": 3})");
  EXPECT_EQ(dup.value.dump(), R"({"a":3,"b":2})");
  EXPECT_EQ(util::python_json_loads(std::string(2000, '[') + std::string(2000, ']')).status, S::TooDeep);
  EXPECT_EQ(util::python_json_loads(R"("\ud83d\ude00")").value.get<std::string>(), "\xf0\x9f\x98\x80");
}

TEST(OtlpPythonText, ReprsLikePython) {
  EXPECT_EQ(otlp::python_bytes_repr(std::string("\x00\x01'\xff", 4)), "b\"\\x00\\x01'\\xff\"");
  EXPECT_EQ(otlp::python_bytes_repr("a\\b"), "b'a\\\\b'");
  EXPECT_EQ(otlp::python_str_repr("1.5"), "'1.5'");
  std::string raw;
  otlp::append_json_string_raw(raw, "h\xc3\xa9\x01\"");
  EXPECT_EQ(raw, "\"h\xc3\xa9\\u0001\\\"\"");
}

TEST(OtlpConversion, ContentIsMlflowsText) {
  // One root span with a string, an int, a kvlist with a repeated key, a JSON-object string and an
  // OpenInference input; MLflow 3.6 stores exactly this text (plus the read-time span type).
  std::string kvlist = len(1, kv_int("x", 1)) + len(1, kv_int("y", 2)) + len(1, kv_int("x", 3));
  std::string attrs = len(9, kv_string("s", "str")) + len(9, kv_int("i", 42)) +
                      len(9, len(1, "kv") + len(2, len(6, kvlist))) + len(9, kv_string("obj", "{\"a\": 1}")) +
                      len(9, kv_string("input.value", "Hello"));
  auto batches = otlp::convert_request(otlp::decode_protobuf(request(len(2, span(bytes16(1), bytes8(2), "", attrs)))), 1 << 20);
  ASSERT_EQ(batches.size(), 1u);
  const auto& b = batches[0];
  EXPECT_EQ(b.trace_id, "tr-0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a01");
  EXPECT_EQ(b.root_state, std::string("OK"));
  EXPECT_EQ(b.request_preview, std::string("\"Hello\""));
  EXPECT_FALSE(b.response_preview);
  const auto& row = b.spans.at(0);
  EXPECT_EQ(row.span_id, "0b0b0b0b0b0b0b02");
  EXPECT_FALSE(row.parent_span_id);
  EXPECT_EQ(row.status, "UNSET");
  EXPECT_EQ(row.content,
            "{\"trace_id\": \"CgoKCgoKCgoKCgoKCgoKAQ==\", \"span_id\": \"CwsLCwsLCwI=\", \"parent_span_id\": null, "
            "\"name\": \"s\", \"start_time_unix_nano\": 1000000000, \"end_time_unix_nano\": 3000000000, \"events\": [], "
            "\"status\": {\"code\": \"STATUS_CODE_UNSET\", \"message\": \"\"}, \"attributes\": {\"mlflow.traceRequestId\": "
            "\"\\\"tr-0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a01\\\"\", \"s\": \"\\\"str\\\"\", \"i\": \"42\", \"kv\": "
            "\"{\\\"x\\\": 3, \\\"y\\\": 2}\", \"obj\": \"{\\\"a\\\": 1}\", \"input.value\": \"\\\"Hello\\\"\", "
            "\"mlflow.spanInputs\": \"\\\"Hello\\\"\"}}");
}

TEST(OtlpConversion, IdsGroupingAndErrors) {
  std::string a = len(2, span(bytes16(1), bytes8(1), ""));
  std::string child = len(2, span(bytes16(1), bytes8(2), bytes8(1)));
  std::string b = len(2, span(bytes16(2), bytes8(1), std::string(8, '\0')));  // all-zero parent: a root
  auto batches = otlp::convert_request(otlp::decode_protobuf(request(child + b + a)), 1 << 20);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].spans.size(), 2u);  // first-seen order, spans of a trace together
  EXPECT_EQ(batches[0].spans[0].parent_span_id, std::string("0b0b0b0b0b0b0b01"));
  EXPECT_EQ(batches[1].root_state, std::string("OK"));
  for (const std::string& bad : {span("", bytes8(1), ""), span(bytes16(1), bytes8(1) + "x", ""),
                                 span(bytes16(1), bytes8(1), "abc"),
                                 span(bytes16(1), bytes8(1), "", len(9, kv_int("mlflow.traceRequestId", 5)))}) {
    EXPECT_EQ(kind_of([&] { otlp::convert_request(otlp::decode_protobuf(request(len(2, bad))), 1 << 20); }),
              OtlpError::Kind::Unconvertible);
  }
  std::string tokens = len(9, len(1, "gen_ai.usage.input_tokens") + len(2, fixed64(4, 0x3ff8000000000000ull))) +
                       len(9, kv_int("gen_ai.usage.output_tokens", 2));
  try {
    otlp::convert_request(otlp::decode_protobuf(request(len(2, span(bytes16(3), bytes8(1), "", tokens)))), 1 << 20);
    FAIL();
  } catch (const OtlpError& e) {
    EXPECT_EQ(e.kind(), OtlpError::Kind::TraceFailed);
    EXPECT_STREQ(e.what(), "Trace tr-0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a03: invalid literal for int() with base 10: '1.5'");
  }
  EXPECT_EQ(kind_of([&] { otlp::convert_request(otlp::decode_protobuf(request(a)), 100); }), OtlpError::Kind::TooLarge);
}

TEST(OtlpTranslation, ConventionsInMlflowsOrder) {
  otlp::SpanAttributes a;
  a.set("gen_ai.prompt.0.content", "\"\"");  // falsy: skipped
  a.set("gen_ai.prompt.12.content_x", "\"hi\"");  // re.match: a prefix match counts
  EXPECT_EQ(otlp::translated_inputs(a), std::string("\"hi\""));
  a.set("gen_ai.usage.prompt_tokens", "3");
  a.set("gen_ai.usage.completion_tokens", "4");
  EXPECT_EQ(otlp::translated_token_usage(a), std::string(R"({"input_tokens": 3, "output_tokens": 4, "total_tokens": 7})"));
  otlp::SpanAttributes v;
  v.set("ai.operationId", "\"ai.generateText.doGenerate\"");
  v.set("ai.prompt.messages", "\"[{\\\"role\\\": \\\"user\\\"}]\"");
  v.set("ai.prompt.tools", "[\"{\\\"n\\\": 1}\"]");
  EXPECT_EQ(otlp::translated_inputs(v), std::string(R"({"messages": [{"role": "user"}], "tools": [{"n": 1}]})"));
  EXPECT_EQ(otlp::translated_span_type(v), std::string("LLM"));
  otlp::SpanAttributes zero;
  zero.set("llm.token_count.prompt", "0");
  zero.set("llm.token_count.completion", "0");
  EXPECT_FALSE(otlp::translated_token_usage(zero));  // a computed total of 0 is falsy
}

TEST(OtlpPreview, MessagesAndTruncation) {
  EXPECT_EQ(otlp::truncated_preview(R"({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]})", "user"),
            std::string("a"));
  EXPECT_EQ(otlp::truncated_preview(R"({"choices": [{"message": {"role": "assistant", "content": [{"type": "text", "text": "t"}]}}]})",
                                    "assistant"),
            std::string("t"));
  EXPECT_EQ(otlp::truncated_preview(R"({"request": {"input": [{"role": "user", "content": "deep"}]}})", "user"),
            std::string("deep"));
  std::string long_text = "\"" + std::string(1200, 'x') + "\"";
  auto p = otlp::truncated_preview(long_text, "user");
  EXPECT_EQ(p->size(), 1000u);
  EXPECT_TRUE(p->ends_with("..."));
  std::string wide;
  for (int i = 0; i < 1001; ++i) wide += "\xc3\xa9";
  EXPECT_EQ(otlp::truncated_preview(wide, "user")->size(), 997u * 2 + 3);  // code points, not bytes
  EXPECT_FALSE(otlp::truncated_preview(R"({"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]})", "user"));
}

TEST(OtlpTokenUsage, AddsLikeMlflow) {
  EXPECT_EQ(otlp::add_token_usage(std::nullopt, R"({"input_tokens": 1, "output_tokens": 2, "total_tokens": 3})"),
            std::string(R"({"input_tokens": 1, "output_tokens": 2, "total_tokens": 3})"));
  EXPECT_EQ(otlp::add_token_usage(std::string(R"({"total_tokens": 10, "other": "x"})"), R"({"input_tokens": 1.5})"),
            std::string(R"({"total_tokens": 10, "other": "x", "input_tokens": 1.5, "output_tokens": 0})"));
  EXPECT_EQ(otlp::add_token_usage(std::string("{}"), "\"not a dict\""), std::nullopt);
}
