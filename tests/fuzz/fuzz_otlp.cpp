// The OTLP ingest decoders and converter (src/otlp): the first byte picks protobuf or OTLP/JSON
// and whether the rest is first inflated as gzip / deflate; a decoded request is converted to
// MLflow's span rows. Invariants: only OtlpError escapes; limits hold (inflated output and the
// decoded model stay within their caps); every converted row's content is valid JSON text of
// MLflow's shape, its ids 16 hex digits, its trace id at most 50 characters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "otlp/decompress.hpp"
#include "otlp/json_decoder.hpp"
#include "otlp/otlp_error.hpp"
#include "otlp/protobuf_decoder.hpp"
#include "otlp/span_conversion.hpp"
#include "util/python_json_loads.hpp"

using namespace sextant;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  unsigned mode = data[0];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::size_t kMaxInflated = 1 << 20;
  try {
    std::string inflated;
    if (mode & 6) {
      auto encoding = (mode & 2) ? otlp::Encoding::Gzip : otlp::Encoding::Deflate;
      inflated = otlp::inflate_body(body, encoding, kMaxInflated);
      FUZZ_CHECK(inflated.size() <= kMaxInflated);
      body = inflated;
    }
    otlp::DecodeLimits limits;
    limits.max_model_bytes = 16 * body.size() + 65536;
    auto request = (mode & 1) ? otlp::decode_json(body, limits) : otlp::decode_protobuf(body, limits);
    auto batches = otlp::convert_request(request, 16 * body.size() + 65536);
    for (const auto& b : batches) {
      FUZZ_CHECK(!b.spans.empty());
      for (const auto& row : b.spans) {
        FUZZ_CHECK(row.trace_id == b.trace_id);
        FUZZ_CHECK(row.span_id.size() == 16);
        FUZZ_CHECK(!row.parent_span_id || row.parent_span_id->size() == 16);
        auto parsed = util::python_json_loads(row.content);
        FUZZ_CHECK(parsed.status == util::PythonJsonLoad::Status::Ok);
        FUZZ_CHECK(parsed.value.is_object() && parsed.value.contains("attributes") && parsed.value.contains("status"));
        FUZZ_CHECK(parsed.value["attributes"].contains("mlflow.traceRequestId"));
      }
    }
  } catch (const otlp::OtlpError&) {
  }
  return 0;
}
