// OTLP/HTTP span ingest, POST /v1/traces (docs/design/tracing/otlp-ingest.md §2, §5): MLflow's
// handler (mlflow/server/otel_api.py) with its status codes and FastAPI-style {"detail": ...}
// error bodies, plus what issue 16 adds: OTLP/JSON bodies, Content-Encoding gzip / deflate, and
// one transaction per request (all or nothing). Checks in MLflow's order: experiment header
// (422), Content-Type (400), Content-Encoding (415) and inflation (400 / 413), decoding (400),
// no resource spans (400), conversion (422), storing (422; 503 when the database is busy: the
// OTel exporters retry 5xx). Success: an empty ExportTraceServiceResponse in the request's
// encoding (0 bytes of protobuf, or {}).
#include <nlohmann/json.hpp>

#include "api/routes.hpp"
#include "core/error.hpp"
#include "otlp/decompress.hpp"
#include "otlp/json_decoder.hpp"
#include "otlp/otlp_error.hpp"
#include "otlp/protobuf_decoder.hpp"
#include "otlp/span_conversion.hpp"
#include "util/strings.hpp"

namespace sextant::api {

namespace {

ApiResponse detail(int status, const std::string& message) {
  return ApiResponse::json(nlohmann::json{{"detail", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                           status);
}

// FastAPI's answer for a required header that is missing.
ApiResponse missing_experiment_header() {
  nlohmann::json body = {{"detail",
                          {{{"type", "missing"},
                            {"loc", {"header", "x-mlflow-experiment-id"}},
                            {"msg", "Field required"},
                            {"input", nullptr}}}}};
  return ApiResponse::json(body.dump(), 422);
}

int status_of(otlp::OtlpError::Kind kind) {
  switch (kind) {
    case otlp::OtlpError::Kind::Malformed: return 400;
    case otlp::OtlpError::Kind::TooLarge: return 413;
    default: return 422;
  }
}

ApiResponse export_traces(const ApiRequest& req, store::TraceStore& traces, std::size_t max_body) {
  if (!req.mlflow_experiment_id) return missing_experiment_header();
  std::string media = util::to_lower(util::trim(std::string_view(req.content_type).substr(0, req.content_type.find(';'))));
  bool json = media == "application/json";
  if (!json && media != "application/x-protobuf") {
    return detail(400, "Invalid Content-Type: " + (req.has_content_type ? req.content_type : std::string("None")) +
                           ". Expected: application/x-protobuf or application/json");
  }
  auto encoding = otlp::parse_content_encoding(req.content_encoding);
  if (!encoding) return detail(415, "Unsupported Content-Encoding: " + req.content_encoding + ". Expected: gzip, deflate or identity");
  try {
    std::string inflated;
    std::string_view body = req.body;
    if (*encoding != otlp::Encoding::Identity) {
      inflated = otlp::inflate_body(req.body, *encoding, max_body);
      body = inflated;
    }
    otlp::DecodeLimits limits;
    limits.max_model_bytes = 16 * body.size() + (1u << 20);
    otlp::ExportRequest request;
    if (json) {
      try {
        request = otlp::decode_json(body, limits);
      } catch (const otlp::OtlpError& e) {
        // A protobuf body labelled JSON is never JSON: MLflow's test expects "Invalid Content-Type".
        std::string what = e.what();
        if (e.kind() == otlp::OtlpError::Kind::Malformed && what.starts_with("not JSON: ")) {
          return detail(400, "Invalid Content-Type: application/json, but the body is not valid OTLP/JSON: " + what.substr(10));
        }
        throw;
      }
    } else {
      request = otlp::decode_protobuf(body, limits);
    }
    if (request.resource_spans.empty()) return detail(400, "Invalid OpenTelemetry protobuf format - no spans found");
    auto batches = otlp::convert_request(request, 16 * body.size() + (1u << 20));
    if (!batches.empty()) traces.log_spans(*req.mlflow_experiment_id, batches);
  } catch (const otlp::OtlpError& e) {
    if (e.kind() == otlp::OtlpError::Kind::TraceFailed) {
      return detail(422, std::string("Failed to log OpenTelemetry spans: ") + e.what());
    }
    return detail(status_of(e.kind()), e.what());
  } catch (const core::MlflowError& e) {
    if (e.code() == core::ErrorCode::TEMPORARILY_UNAVAILABLE) {
      auto r = detail(503, e.what());
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    return detail(422, std::string("Failed to log OpenTelemetry spans: ") + e.what());
  }
  if (json) return ApiResponse::json("{}");
  return ApiResponse::text("", 200, "application/x-protobuf");
}

}  // namespace

void register_otlp_routes(RpcRegistrar& reg, Services& services) {
  if (!services.traces) return;
  store::TraceStore& traces = *services.traces;
  std::size_t max_body = services.settings.max_request_body;
  reg.router().add("POST", "/v1/traces", auth::Policy::Authenticated,
                   [&traces, max_body](const ApiRequest& req) { return export_traces(req, traces, max_body); });
}

}  // namespace sextant::api
