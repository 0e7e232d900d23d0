// The JSON (and query-string) request decoding of the API handlers: api::Params over a POST body
// or a GET query, the scalar and list accessors with the field names of every API area, and the
// log-batch entry parsers. The first byte picks GET (query string) or POST (JSON body).
// Invariants: only MlflowError(INVALID_PARAMETER_VALUE) and nlohmann::json::exception (which the
// router turns into a 400) escape; an error message stays proportional to the request (it never
// serialises a client value recursively into something larger).
// With the limited decoder (api/request_json.hpp) present, also: a decoded document is at most
// kMaxDepth deep and every error message is valid UTF-8.
// decode() is the one place to re-point when the request decoder changes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/entity_parsing.hpp"
#include "api/params.hpp"
#include "core/error.hpp"
#include "fuzz_check.hpp"
#include "util/url.hpp"
#if __has_include("api/request_json.hpp")
#include "api/request_json.hpp"
#define SEXTANT_FUZZ_REQUEST_JSON 1
#endif

using namespace sextant;
using nlohmann::json;

namespace {

constexpr std::string_view kFields[] = {
    "experiment_id", "experiment_ids", "run_id", "run_uuid", "name", "new_name", "key", "value", "timestamp", "step",
    "max_results", "page_token", "filter", "filter_string", "order_by", "view_type", "run_view_type", "status",
    "end_time", "start_time", "metric_key", "path", "version", "stage", "alias", "model_id", "tags", "metrics",
    "params", "description", "archive_existing_versions", "source", "artifact_location", "dataset_inputs"};

void decode(const api::ApiRequest& request) {
  api::Params params(request);
  for (auto field : kFields) {
    (void)params.str(field);
    (void)params.int64(field);
    (void)params.number(field);
    (void)params.boolean(field);
    (void)params.str_list(field);
  }
  (void)params.run_id();
  const json& body = params.object();
  for (const char* list : {"metrics", "params", "tags"}) {
    const json* entries = api::json_field(body, list);
    if (!entries || !entries->is_array()) continue;
    for (std::size_t i = 0; i < entries->size(); ++i) {
      std::string path = std::string(list) + "[" + std::to_string(i) + "]";
      if (list[0] == 'm') (void)api::parse_metric((*entries)[i], path);
      else if (list[0] == 'p') (void)api::parse_param((*entries)[i], path);
      else (void)api::parse_run_tag((*entries)[i], path);
    }
  }
}

#ifdef SEXTANT_FUZZ_REQUEST_JSON
std::size_t depth(const json& v) {
  std::size_t deepest = 0;
  if (v.is_structured())
    for (const auto& item : v) deepest = std::max(deepest, depth(item));
  return v.is_structured() ? deepest + 1 : 0;
}
#endif

// The limited decoder itself: a document it returns is within the depth limit.
void check_limited_decoder(std::string_view text) {
#ifdef SEXTANT_FUZZ_REQUEST_JSON
  try {
    json parsed = api::decode_request_json(text);
    if (!parsed.is_discarded()) FUZZ_CHECK(depth(parsed) <= api::request_json_limits::kMaxDepth);
  } catch (const core::MlflowError& e) {
    FUZZ_CHECK(e.code() == core::ErrorCode::INVALID_PARAMETER_VALUE);
  }
#else
  (void)text;
#endif
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  api::ApiRequest request;
  if (data[0] & 1) {
    request.method = "GET";
    request.query = util::parse_query(text);
  } else {
    request.method = (data[0] & 2) ? "PATCH" : "POST";
    request.has_content_type = true;
    request.content_type = "application/json";
    request.body = std::string(text);
    check_limited_decoder(text);
  }
  try {
    decode(request);
  } catch (const core::MlflowError& e) {
    FUZZ_CHECK(e.code() == core::ErrorCode::INVALID_PARAMETER_VALUE);
    FUZZ_CHECK(std::string_view(e.what()).size() <= 2 * size + 1024);
#ifdef SEXTANT_FUZZ_REQUEST_JSON
    (void)json(e.what()).dump();  // messages are valid UTF-8 (dump() would throw otherwise)
#endif
  } catch (const json::exception&) {
  }
  return 0;
}
