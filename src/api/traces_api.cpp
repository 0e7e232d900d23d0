// Traces v3 and the legacy v2 routes (docs/design/tracing/rest-traces.md §1-5, §8): StartTraceV3,
// GetTraceInfoV3, GetTrace and BatchGetTraces (streamed span by span), trace tags, DeleteTraces,
// LinkTracesToRun, get-trace-artifact, StartTrace/EndTrace/GetTraceInfo (v2) and the two RPCs
// MLflow declares without a handler. Registered only when services.traces is set.
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "api/artifact_access.hpp"
#include "api/params.hpp"
#include "api/routes.hpp"
#include "api/span_json.hpp"
#include "api/trace_json.hpp"
#include "core/error.hpp"
#include "core/validation.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxTraceIdChars = 50;      // trace_info.request_id VARCHAR(50)
constexpr std::size_t kMaxPreviewChars = 1000;    // request_preview / response_preview VARCHAR(1000)
constexpr std::size_t kMaxLinkedTraces = 100;     // LinkTracesToRun
constexpr std::size_t kMaxBatchGetTraces = 1000;  // BatchGetTraces (MLflow has none; clients send 10)
constexpr std::size_t kMaxDeleteTraceIds = 10000;
constexpr std::size_t kStreamChunk = 64 * 1024;

// A trace id from a request: what the schema can hold, and nothing that could leave the trace's
// artifact directory (mlflow.artifactLocation is <experiment>/traces/<id>/artifacts).
void check_trace_id(const std::string& id, const std::string& name) {
  if (id.empty()) throw_missing(name);
  bool ok = util::utf8_length(id) <= kMaxTraceIdChars && id != "." && id != "..";
  for (unsigned char c : id) ok = ok && c >= 0x20 && c != 0x7f && c != '/' && c != '\\';
  if (!ok) core::throw_invalid("Invalid trace ID " + util::python_repr(id) + " for parameter '" + name + "'");
}

// Key/value rows as the trace tables hold them: key VARCHAR(250) refused above, value VARCHAR(8000) cut.
void fit_entries(std::vector<core::Tag>& entries, const std::string& what) {
  for (auto& e : entries) {
    core::validate_length(e.key, core::limits::kMaxEntityKey, what + " key");
    e.value = core::truncate_tag_value(e.value);
  }
}

// StartTrace / EndTrace (v2): [{"key", "value"}] lists; every entry needs a key.
std::vector<core::Tag> key_value_list(const Params& p, const char* name) {
  std::vector<core::Tag> out;
  const json& list = json_list(p.raw(name), name);
  for (const auto& entry : list) {
    auto key = entry.is_object() ? json_str(entry, "key") : std::nullopt;
    if (!key || key->empty()) throw_invalid_type(list, name);
    out.push_back({*key, json_str(entry, "value").value_or("")});
  }
  fit_entries(out, name);
  return out;
}

std::string trace_info_response(const core::TraceInfo& info) {
  return json{{"trace", {{"trace_info", trace_info_v3_json(info)}}}}.dump();
}

// --- streaming a trace's spans ---

// Collects output and hands it to the response's sink in pieces of about kStreamChunk bytes.
class ChunkWriter {
 public:
  explicit ChunkWriter(artifacts::ByteSink& sink) : sink_(sink) { buffer_.reserve(kStreamChunk * 2); }
  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= kStreamChunk) flush();
  }
  void flush() {
    if (!buffer_.empty() && !sink_.write(buffer_.data(), buffer_.size())) {
      throw std::runtime_error("the client stopped reading");
    }
    buffer_.clear();
  }

 private:
  artifacts::ByteSink& sink_;
  std::string buffer_;
};

// A JSON body written after the headers: `write(out)` appends to out; the response is chunked.
ApiResponse streamed_json(std::function<void(ChunkWriter&)> write) {
  ApiResponse r;
  auto body = std::make_shared<StreamedBody>();
  body->unknown_length = true;
  body->produce = [write = std::move(write)](artifacts::ByteSink& sink) {
    ChunkWriter w(sink);
    write(w);
    w.flush();
  };
  r.stream = std::move(body);
  return r;
}

// {"trace_info": ..., "spans": [...]} (spans omitted when there are none), the spans read and
// encoded one at a time.
void write_trace(ChunkWriter& w, store::TraceStore& store, const core::TraceInfo& info) {
  auto& out = w.buffer();
  out += R"({"trace_info":)";
  out += trace_info_v3_json(info).dump();
  bool first = true;
  store.read_spans(info.trace_id, [&](const core::SpanRow& span) {
    out += first ? R"(,"spans":[)" : ",";
    first = false;
    append_otel_span_json(out, span.content);
    w.maybe_flush();
  });
  if (!first) out += ']';
  out += '}';
}

const std::string* tag_value(const std::vector<core::Tag>& entries, const char* key) {
  for (const auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

bool spans_in_store(const core::TraceInfo& info) {
  const auto* location = tag_value(info.tags, core::kTraceTagSpansLocation);
  return location && *location == core::kTraceSpansInTrackingStore;
}

// GetTrace / BatchGetTraces read spans from the database only (MLflow: MlflowTracingException).
void require_spans_in_store(const core::TraceInfo& info) {
  if (!spans_in_store(info)) {
    throw core::MlflowError(core::ErrorCode::INTERNAL_ERROR, "Trace data not stored in tracking store");
  }
}

// MLflow's completeness rule: some spans stored, and at least the size stats' num_spans.
bool complete(store::TraceStore& store, const core::TraceInfo& info) {
  const std::size_t stored = store.count_spans(info.trace_id);
  if (stored == 0) return false;
  if (const auto* stats = tag_value(info.metadata, core::kTraceMetaSizeStats)) {
    auto parsed = json::parse(*stats, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) {
      auto it = parsed.find("num_spans");
      if (it != parsed.end() && it->is_number_integer() && it->get<std::int64_t>() > static_cast<std::int64_t>(stored))
        return false;
    }
  }
  return true;
}

[[noreturn]] void trace_not_found_unquoted(const std::string& id) {
  core::throw_not_found("Trace with ID " + id + " is not found.");
}

// --- routes ---

ApiResponse start_trace_v3(store::TraceStore& store, const ApiRequest& req) {
  Params p(req);
  const json* trace = p.raw("trace");
  if (!trace) throw_missing("trace");
  if (!trace->is_object()) throw_invalid_type(*trace, "trace");
  const json* info_json = json_field(*trace, "trace_info");
  if (!info_json) throw_missing("trace.trace_info");
  auto info = trace_info_v3_from_json(*info_json, "trace.trace_info");
  check_trace_id(info.trace_id, "trace.trace_info.trace_id");
  if (info.client_request_id) core::validate_length(*info.client_request_id, kMaxTraceIdChars, "client_request_id");
  for (auto* preview : {&info.request_preview, &info.response_preview})
    if (*preview) **preview = util::utf8_truncate(**preview, kMaxPreviewChars);
  fit_entries(info.tags, "tag");
  fit_entries(info.metadata, "trace_metadata");
  return ApiResponse::json(trace_info_response(store.start_trace(info)));
}

ApiResponse get_trace(store::TraceStore& store, const ApiRequest& req) {
  Params p(req);
  auto trace_id = p.required_str("trace_id");
  const bool allow_partial = p.boolean("allow_partial").value_or(false);
  auto infos = store.get_trace_infos({trace_id});
  if (infos.empty()) trace_not_found_unquoted(trace_id);
  auto info = std::move(infos.front());
  require_spans_in_store(info);
  if (!allow_partial && !complete(store, info)) {
    core::throw_not_found("Trace with ID " + trace_id + " is not fully exported yet, please try again later.");
  }
  return streamed_json([&store, info = std::move(info)](ChunkWriter& w) {
    w.buffer() += R"({"trace":)";
    write_trace(w, store, info);
    w.buffer() += '}';
  });
}

ApiResponse batch_get_traces(store::TraceStore& store, const ApiRequest& req) {
  Params p(req);
  if (!p.raw("trace_ids")) throw_missing("trace_ids");
  auto ids = p.str_list("trace_ids");
  if (ids.size() > kMaxBatchGetTraces) {
    core::throw_invalid("Cannot get more than " + std::to_string(kMaxBatchGetTraces) + " traces in a single request. Provided " +
                        std::to_string(ids.size()) + " trace IDs.");
  }
  std::vector<core::TraceInfo> ready;
  for (auto& info : store.get_trace_infos(ids)) {
    require_spans_in_store(info);
    if (complete(store, info)) ready.push_back(std::move(info));
  }
  if (ready.empty()) return ApiResponse::json("{}");
  return streamed_json([&store, ready = std::move(ready)](ChunkWriter& w) {
    w.buffer() += R"({"traces":[)";
    for (std::size_t i = 0; i < ready.size(); ++i) {
      if (i) w.buffer() += ',';
      write_trace(w, store, ready[i]);
      w.maybe_flush();
    }
    w.buffer() += "]}";
  });
}

ApiResponse set_trace_tag(store::TraceStore& store, const ApiRequest& req, const char* id_param) {
  Params p(req);
  auto key = p.required_str("key");
  auto value = p.str("value").value_or("");
  core::validate_entity_key(key, "key");
  core::validate_length(key, core::limits::kMaxEntityKey, "key");
  store.set_trace_tag(req.path_param(id_param), {key, core::truncate_tag_value(value)});
  return ApiResponse::json("{}");
}

ApiResponse delete_trace_tag(store::TraceStore& store, const ApiRequest& req, const char* id_param) {
  Params p(req);
  auto key = p.str("key");
  if (!key || key->empty()) {
    // DELETE carries {"key"} in its body; a query string works too.
    for (const auto& [k, v] : req.query)
      if (k == "key") key = v;
  }
  if (!key || key->empty()) throw_missing("key");
  store.delete_trace_tag(req.path_param(id_param), *key);
  return ApiResponse::json("{}");
}

ApiResponse delete_traces(store::TraceStore& store, const ApiRequest& req) {
  Params p(req);
  store::TraceDeletion d;
  d.experiment_id = p.required_str("experiment_id");
  d.max_timestamp_millis = p.int64("max_timestamp_millis");
  d.max_traces = p.int64("max_traces");
  if (d.max_traces) check_int32(*d.max_traces, "max_traces");
  if (const json* ids = p.raw("request_ids")) {
    if (!ids->is_array()) throw_invalid_type(*ids, "request_ids");
    for (const auto& id : *ids) {
      if (!id.is_string()) throw_invalid_type(*ids, "request_ids");
      d.trace_ids.push_back(id.get<std::string>());
    }
  }
  // The abstract store's rules (presence matters: an absent field is not a 0).
  if (!d.max_timestamp_millis && d.trace_ids.empty()) {
    core::throw_invalid("Either `max_timestamp_millis` or `trace_ids` must be specified.");
  }
  if (d.max_timestamp_millis && *d.max_timestamp_millis != 0 && !d.trace_ids.empty()) {
    core::throw_invalid("Only one of `max_timestamp_millis` and `trace_ids` can be specified.");
  }
  if (!d.trace_ids.empty() && d.max_traces) {
    core::throw_invalid("`max_traces` can't be specified if `trace_ids` is specified.");
  }
  if (d.max_traces && *d.max_traces <= 0) {
    core::throw_invalid("`max_traces` must be a positive integer, received " + std::to_string(*d.max_traces) + ".");
  }
  if (d.trace_ids.size() > kMaxDeleteTraceIds) {
    core::throw_invalid("Cannot delete more than " + std::to_string(kMaxDeleteTraceIds) +
                        " traces by ID in a single request. Provided " + std::to_string(d.trace_ids.size()) +
                        " trace IDs.");
  }
  return ApiResponse::json(json{{"traces_deleted", store.delete_traces(d)}}.dump());
}

ApiResponse link_traces_to_run(store::TraceStore& store, const ApiRequest& req) {
  Params p(req);
  const json* ids_json = p.raw("trace_ids");
  if (!ids_json) throw_missing("trace_ids");
  if (!ids_json->is_array()) throw_invalid_type(*ids_json, "trace_ids");
  std::vector<std::string> ids;
  for (const auto& id : *ids_json) {
    if (!id.is_string()) throw_invalid_type(*ids_json, "trace_ids");
    ids.push_back(id.get<std::string>());
  }
  auto run_id = p.required_str("run_id");
  if (ids.size() > kMaxLinkedTraces) {
    core::throw_invalid("Cannot link more than " + std::to_string(kMaxLinkedTraces) +
                        " traces to a run in a single request. Provided " + std::to_string(ids.size()) + " traces.");
  }
  if (!ids.empty()) store.link_traces_to_run(ids, run_id);
  return ApiResponse::json("{}");
}

ApiResponse start_trace_v2(store::TraceStore& store, const ApiRequest& req) {
  Params p(req);
  core::TraceInfo info;
  info.experiment_id = p.str("experiment_id").value_or("");
  info.timestamp_ms = p.int64("timestamp_ms").value_or(0);
  info.metadata = key_value_list(p, "request_metadata");
  info.tags = key_value_list(p, "tags");
  return ApiResponse::json(json{{"trace_info", trace_info_v2_json(store.start_trace_v2(info))}}.dump());
}

ApiResponse end_trace_v2(store::TraceStore& store, const ApiRequest& req) {
  Params p(req);
  auto timestamp_ms = p.int64("timestamp_ms").value_or(0);
  std::string state = core::kTraceStateUnspecified;
  if (const json* status = p.raw("status")) state = parse_trace_state(*status, "status", /*v2=*/true);
  auto metadata = key_value_list(p, "request_metadata");
  auto tags = key_value_list(p, "tags");
  auto info = store.end_trace_v2(req.path_param("request_id"), timestamp_ms, state, metadata, tags);
  return ApiResponse::json(json{{"trace_info", trace_info_v2_json(info)}}.dump());
}

// get-trace-artifact: the spans as MLflow's traces.json ({"spans": [<stored span dict>, ...]}),
// from the database, or from the trace's artifact directory for traces whose spans live there.
ApiResponse get_trace_artifact(Services& s, const ApiRequest& req) {
  std::string trace_id;
  for (const auto& [k, v] : req.query)
    if (k == "request_id") {
      trace_id = v;
      break;
    }
  if (trace_id.empty()) {
    throw core::MlflowError(core::ErrorCode::BAD_REQUEST, "Request must include the \"request_id\" query parameter.");
  }
  auto& store = *s.traces;
  auto infos = store.get_trace_infos({trace_id});
  if (infos.empty()) trace_not_found_unquoted(trace_id);
  const auto info = std::move(infos.front());
  ApiResponse r;
  if (spans_in_store(info)) {
    r = streamed_json([&store, trace_id](ChunkWriter& w) {
      w.buffer() += R"({"spans": [)";
      bool first = true;
      store.read_spans(trace_id, [&](const core::SpanRow& span) {
        if (!first) w.buffer() += ", ";
        first = false;
        w.buffer() += span.content;
        w.maybe_flush();
      });
      w.buffer() += "]}";
    });
  } else {
    const auto* location = tag_value(info.tags, core::kTraceTagArtifactLocation);
    if (!location) {
      throw core::MlflowError(core::ErrorCode::INTERNAL_ERROR,
                              "Trace data not found for trace with ID " + trace_id + ": it has no artifact location");
    }
    r = locate_artifact_root(s, *location).send_file("traces.json");
    r.headers.clear();
  }
  r.content_type = "application/octet-stream";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=traces.json");
  return r;
}

ApiResponse not_implemented(const ApiRequest&) { return ApiResponse::text("", 404, "text/html; charset=utf-8"); }

}  // namespace

void register_trace_routes(RpcRegistrar& reg, Services& services) {
  if (!services.traces) return;
  auto& store = *services.traces;
  auto bind = [&store](ApiResponse (*fn)(store::TraceStore&, const ApiRequest&)) {
    return [&store, fn](const ApiRequest& req) { return fn(store, req); };
  };

  // v3
  reg.rpc_v3("POST", "/traces", bind(start_trace_v3));
  reg.rpc_v3("GET", "/traces/get", bind(get_trace));
  reg.rpc_v3("GET", "/traces/batchGet", bind(batch_get_traces));
  reg.rpc_v3("GET", "/traces/{trace_id}", [&store](const ApiRequest& req) {
    return ApiResponse::json(trace_info_response(store.get_trace_info(req.path_param("trace_id"))));
  });
  reg.rpc_v3("POST", "/traces/delete-traces", bind(delete_traces));
  reg.rpc_v3("PATCH", "/traces/{trace_id}/tags",
             [&store](const ApiRequest& req) { return set_trace_tag(store, req, "trace_id"); });
  reg.rpc_v3("DELETE", "/traces/{trace_id}/tags",
             [&store](const ApiRequest& req) { return delete_trace_tag(store, req, "trace_id"); });

  // v2: the routes 3.x clients call (tags, delete, link) and the legacy trace lifecycle.
  reg.rpc("PATCH", "/traces/{request_id}/tags",
          [&store](const ApiRequest& req) { return set_trace_tag(store, req, "request_id"); });
  reg.rpc("DELETE", "/traces/{request_id}/tags",
          [&store](const ApiRequest& req) { return delete_trace_tag(store, req, "request_id"); });
  reg.rpc("POST", "/traces/delete-traces", bind(delete_traces));
  reg.rpc("POST", "/traces/link-to-run", bind(link_traces_to_run));
  reg.rpc("POST", "/traces", bind(start_trace_v2));
  reg.rpc("PATCH", "/traces/{request_id}", bind(end_trace_v2));
  reg.rpc("GET", "/traces/{request_id}/info", [&store](const ApiRequest& req) {
    auto info = store.get_trace_info(req.path_param("request_id"));
    return ApiResponse::json(json{{"trace_info", trace_info_v2_json(info)}}.dump());
  });

  reg.ajax_only("GET", "/get-trace-artifact", [&services](const ApiRequest& req) { return get_trace_artifact(services, req); });

  // RPCs MLflow declares but serves with `_not_implemented`: an empty 404.
  reg.rpc("GET", "/unified-traces", not_implemented);
  reg.rpc("GET", "/get-online-trace-details", not_implemented);
}

}  // namespace sextant::api
