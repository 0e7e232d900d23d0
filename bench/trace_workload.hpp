// The traces loadgen sends: an agent-like span tree with realistic span content (JSON inputs and
// outputs of a few hundred bytes, a few attributes) encoded as OTLP protobuf, and the StartTraceV3
// body the MLflow 3.6 client sends for a finished trace (docs/design/tracing/rest-traces.md §4.1).
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "otlp_wire.hpp"

namespace loadgen::traces {

using json = nlohmann::ordered_json;  // keys in the order written, as the Python client sends them

// The span types of the tree, with the function names the MLflow client records for them.
enum Kind { kAgent, kRetriever, kChain, kParser, kEmbedding, kReranker, kChatModel, kTool, kKinds };
struct KindInfo { const char* name; const char* type; const char* function; };
inline constexpr KindInfo kKindInfo[kKinds] = {
    {"agent_run", "AGENT", "SupportAgent.run"},
    {"retrieve_context", "RETRIEVER", "retrieve_context"},
    {"generate_answer", "CHAIN", "generate_answer"},
    {"format_response", "PARSER", "format_response"},
    {"embed_query", "EMBEDDING", "OpenAIEmbeddings.embed_query"},
    {"rerank", "RERANKER", "CohereRerank.compress_documents"},
    {"ChatOpenAI", "CHAT_MODEL", "ChatOpenAI.invoke"},
    {"web_search", "TOOL", "web_search"},
};

// One node of a trace's shape: its kind, its parent's index (-1 = root), and its start/end as
// fractions of the trace's duration.
struct Node { Kind kind; int parent; double start, end; };

// The benchmark's trace: 10 spans on 3 levels (root -> 3 steps -> 6 leaves).
inline const std::vector<Node>& agent_shape() {
  static const std::vector<Node> shape = {
      {kAgent, -1, 0.00, 1.00},      {kRetriever, 0, 0.02, 0.30}, {kChain, 0, 0.31, 0.92},
      {kParser, 0, 0.93, 0.99},      {kEmbedding, 1, 0.03, 0.10}, {kRetriever, 1, 0.11, 0.22},
      {kReranker, 1, 0.23, 0.29},    {kChatModel, 2, 0.32, 0.60}, {kTool, 2, 0.61, 0.70},
      {kChatModel, 2, 0.71, 0.91},
  };
  return shape;
}

// A long agent run of n spans: the root, then steps (CHAIN) each with up to 8 leaves, all on 3 levels.
inline std::vector<Node> long_agent_shape(int n) {
  static constexpr Kind leaves[] = {kEmbedding, kRetriever, kReranker, kChatModel, kTool, kChatModel, kParser, kTool};
  std::vector<Node> shape{{kAgent, -1, 0.0, 1.0}};
  int steps = (n - 1 + 8) / 9;
  double width = 1.0 / (steps > 0 ? steps : 1);
  for (int s = 0; static_cast<int>(shape.size()) < n; ++s) {
    double s0 = s * width, s1 = s0 + width * 0.98;
    int step = static_cast<int>(shape.size());
    shape.push_back({kChain, 0, s0, s1});
    for (int k = 0; k < 8 && static_cast<int>(shape.size()) < n; ++k)
      shape.push_back({leaves[k], step, s0 + width * (0.01 + 0.12 * k), s0 + width * (0.12 + 0.12 * k)});
  }
  return shape;
}

inline constexpr const char* kQuestions[] = {
    "How do I rotate the API keys of a production workspace without downtime for the running jobs?",
    "What is the difference between the standard and the premium support plans, and can I switch mid-cycle?",
    "Why does my batch export fail with a 413 error when the payload is larger than 10 MB?",
    "Can you summarize the incident report from last Tuesday and list the follow-up actions?",
    "Which regions support customer-managed encryption keys, and how are they rotated?",
    "My invoice shows two charges for the same month. How do I get a refund for the duplicate?",
    "How can I limit the number of concurrent runs a single user can start in a shared project?",
    "Explain how the retry policy works for webhooks that time out, with the default back-off values.",
};
inline constexpr const char* kAnswers[] = {
    "You can rotate keys with zero downtime by creating a second key, deploying it to your jobs, and revoking the old key once "
    "no request uses it. The audit log shows the last use of each key.",
    "Premium adds 24/7 phone support and a 1-hour response target for severity-1 tickets. You can upgrade at any time; the "
    "difference is prorated on the next invoice.",
    "Exports are limited to 10 MB per request. Split the export into pages with the `page_token` parameter, or use the bulk "
    "export job, which writes to your bucket and has no size limit.",
    "The incident was caused by an expired TLS certificate on an internal load balancer. Follow-ups: automate renewal, add "
    "expiry alerts at 30 and 7 days, and document the manual fallback.",
    "Customer-managed keys are available in us-east-1, eu-west-1 and ap-southeast-2. Keys are rotated yearly by default; "
    "you can trigger a rotation from the console or the CLI.",
    "The second charge is a pre-authorization that is released within 5 business days. If it is still there after that, "
    "reply to this thread with the invoice number and we will refund it.",
    "Set `max_concurrent_runs_per_user` in the project's quota settings. Runs above the limit are queued, not rejected, and "
    "start as soon as a slot frees up.",
    "Webhooks are retried up to 5 times with exponential back-off starting at 10 seconds (10, 20, 40, 80, 160). A delivery "
    "that times out after 30 seconds counts as failed.",
};
inline constexpr int kVariants = 8;
inline constexpr const char* kSystemPrompt =
    "You are a support assistant. Answer from the retrieved context only, cite the documents you used, and say so "
    "when the context does not contain the answer.";

inline json doc(int v, int k) {
  return {{"page_content", std::string(kAnswers[(v + k) % kVariants]).substr(0, 120)},
          {"metadata", {{"doc_uri", "https://docs.example.com/kb/" + std::to_string(1000 + 37 * v + k)},
                        {"chunk_id", std::to_string(k)}}}};
}

// The inputs and outputs of a span of `kind`, variant v: what an instrumented agent records.
inline std::pair<json, json> span_io(Kind kind, int v) {
  const std::string q = kQuestions[v % kVariants], a = kAnswers[v % kVariants];
  switch (kind) {
    case kAgent:
      return {{{"messages", json::array({{{"role", "user"}, {"content", q}}})}, {"session_id", "sess-" + std::to_string(4711 + v)}},
              {{"choices", json::array({{{"index", 0}, {"message", {{"role", "assistant"}, {"content", a}}}, {"finish_reason", "stop"}}})}}};
    case kRetriever: return {{{"query", q}, {"top_k", 3}}, json::array({doc(v, 0), doc(v, 1), doc(v, 2)})};
    case kChain: return {{{"question", q}, {"context_ids", json::array({"1000", "1037", "1074"})}}, a};
    case kParser: return {{{"text", a.substr(0, 160)}}, {{"answer", a.substr(0, 160)}, {"format", "markdown"}}};
    case kEmbedding:
      return {{{"input", json::array({q})}, {"model", "text-embedding-3-small"}},
              {{"dimensions", 1536}, {"embedding_head", json::array({0.0123, -0.0458, 0.0871, 0.0012, -0.0333, 0.0561})}}};
    case kReranker:
      return {{{"query", q}, {"documents", json::array({a.substr(0, 60), std::string(kAnswers[(v + 1) % kVariants]).substr(0, 60)})}},
              {{"ranking", json::array({1, 0})}, {"scores", json::array({0.913, 0.274})}}};
    case kChatModel:
      return {{{"messages", json::array({{{"role", "system"}, {"content", kSystemPrompt}}, {{"role", "user"}, {"content", q}}})},
               {"model", "gpt-4o-mini"}, {"temperature", 0.2}},
              {{"id", "chatcmpl-" + std::to_string(90210 + v)}, {"object", "chat.completion"},
               {"choices", json::array({{{"index", 0}, {"message", {{"role", "assistant"}, {"content", a}}}, {"finish_reason", "stop"}}})}}};
    case kTool:
      return {{{"query", q.substr(0, 80)}, {"num_results", 2}},
              {{"results", json::array({{{"title", "Knowledge base"}, {"url", "https://docs.example.com/kb/" + std::to_string(2000 + v)}},
                                        {{"title", "Status page"}, {"url", "https://status.example.com/incidents/" + std::to_string(300 + v)}}})}}};
    case kKinds: break;
  }
  return {};
}

// Pre-encoded span attributes (all but mlflow.traceRequestId) for every kind x variant.
class SpanContent {
 public:
  SpanContent() {
    for (int k = 0; k < kKinds; ++k)
      for (int v = 0; v < kVariants; ++v) attrs_[k][v] = encode(static_cast<Kind>(k), v);
  }
  std::string_view attributes(Kind k, int v) const { return attrs_[k][v % kVariants]; }

 private:
  static std::string encode(Kind kind, int v) {
    namespace w = loadgen::otlp;
    const KindInfo& info = kKindInfo[kind];
    auto [in, out] = span_io(kind, v);
    std::string a;
    w::append_attribute(a, "mlflow.spanType", w::any_string(info.type));
    w::append_attribute(a, "mlflow.spanFunctionName", w::any_string(info.function));
    w::append_attribute(a, "mlflow.spanInputs", w::any_from_json(in));
    w::append_attribute(a, "mlflow.spanOutputs", w::any_from_json(out));
    w::append_attribute(a, "app.version", w::any_string("1.4.2"));
    if (kind == kChatModel) {
      int in_tok = 180 + 13 * v, out_tok = 60 + 7 * v;
      w::append_attribute(a, "mlflow.chat.tokenUsage",
                          w::any_from_json(json{{"input_tokens", in_tok}, {"output_tokens", out_tok}, {"total_tokens", in_tok + out_tok}}));
      w::append_attribute(a, "llm.model_name", w::any_string("gpt-4o-mini"));
      w::append_attribute(a, "llm.temperature", w::any_double(0.2));
    } else if (kind == kRetriever) {
      w::append_attribute(a, "retrieval.top_k", w::any_int(3));
    }
    return a;
  }
  std::array<std::array<std::string, kVariants>, kKinds> attrs_;
};

struct TraceId {
  std::array<uint8_t, 16> bytes{};
  std::string hex;  // "tr-" + 32 lowercase hex digits, MLflow's trace id
};

inline TraceId random_trace_id(std::mt19937_64& rng) {
  TraceId t;
  uint64_t a = rng(), b = rng();
  for (int i = 0; i < 8; ++i) {
    t.bytes[i] = static_cast<uint8_t>(a >> (8 * (7 - i)));
    t.bytes[8 + i] = static_cast<uint8_t>(b >> (8 * (7 - i)));
  }
  char buf[36];
  std::snprintf(buf, sizeof buf, "tr-%016llx%016llx", static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  t.hex = buf;
  return t;
}

// Appends the spans shape[first, last) of trace `id` (encoded ScopeSpans.spans fields) to `out`.
// The trace starts at start_ns and lasts duration_ns; v picks the content variant.
inline void append_trace_spans(std::string& out, const SpanContent& content, const std::vector<Node>& shape, size_t first,
                               size_t last, const TraceId& id, uint64_t span_id_base, uint64_t start_ns,
                               uint64_t duration_ns, int v) {
  namespace w = loadgen::otlp;
  std::string request_id_attr;
  w::append_attribute(request_id_attr, "mlflow.traceRequestId", w::any_string(id.hex));
  std::string attrs;
  for (size_t i = first; i < last; ++i) {
    const Node& n = shape[i];
    attrs.assign(request_id_attr);
    attrs.append(content.attributes(n.kind, v + static_cast<int>(i)));
    w::Span s;
    s.trace_id = id.bytes;
    s.span_id = span_id_base + i + 1;
    s.parent_span_id = n.parent < 0 ? 0 : span_id_base + static_cast<uint64_t>(n.parent) + 1;
    s.name = kKindInfo[n.kind].name;
    s.start_ns = start_ns + static_cast<uint64_t>(n.start * static_cast<double>(duration_ns));
    s.end_ns = start_ns + static_cast<uint64_t>(n.end * static_cast<double>(duration_ns));
    s.attributes = attrs;
    w::append_span(out, s);
  }
}

// "2025-12-08T02:05:00.123Z" (protobuf Timestamp JSON) for Unix milliseconds.
inline std::string iso_time(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// Parses iso_time's format (fraction optional, any number of digits) back to milliseconds; -1 if malformed.
inline int64_t parse_iso_time(const std::string& s) {
  std::tm tm{};
  int frac_pos = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &frac_pos) != 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  if (s[static_cast<size_t>(frac_pos)] == '.') {
    int scale = 100;
    for (size_t i = static_cast<size_t>(frac_pos) + 1; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10)
      ms += (s[i] - '0') * scale;
  }
  return ms;
}

// What StartTraceV3 gets for one finished trace.
struct TraceSummary {
  std::string experiment_id;
  const TraceId* id = nullptr;
  int64_t request_time_ms = 0;
  int64_t duration_ms = 0;
  std::string state = "OK";
  int num_spans = 10;
  int v = 0;                 // content variant (previews)
  std::string env;           // tag "env" when not empty
};

// The body MLflow 3.6's RestStore.start_trace sends (rest-traces.md §4.1): the trace_info with the
// client's metadata (schema version, size stats, token usage, source, previews) and tags.
inline std::string start_trace_body(const TraceSummary& t) {
  const std::string q = kQuestions[t.v % kVariants], a = kAnswers[t.v % kVariants];
  int64_t size_bytes = 1450L * t.num_spans;
  json size_stats = {{"total_size_bytes", size_bytes}, {"num_spans", t.num_spans}, {"max", 2310}, {"p25", 1102},
                     {"p50", 1391}, {"p75", 1784}};
  int in_tok = 812 + t.v, out_tok = 245 + t.v;
  json tokens = {{"input_tokens", in_tok}, {"output_tokens", out_tok}, {"total_tokens", in_tok + out_tok}};
  json request = {{"messages", json::array({{{"role", "user"}, {"content", q}}})}};
  json tags = {{"mlflow.traceName", "agent_run"}};
  if (!t.env.empty()) tags["env"] = t.env;
  char duration[32];
  std::snprintf(duration, sizeof duration, "%lld.%03llds", static_cast<long long>(t.duration_ms / 1000),
                static_cast<long long>(t.duration_ms % 1000));
  json info = {
      {"trace_id", t.id->hex},
      {"trace_location", {{"type", "MLFLOW_EXPERIMENT"}, {"mlflow_experiment", {{"experiment_id", t.experiment_id}}}}},
      {"request_preview", q},
      {"response_preview", a},
      {"request_time", iso_time(t.request_time_ms)},
      {"execution_duration", duration},
      {"state", t.state},
      {"trace_metadata",
       {{"mlflow.trace_schema.version", "3"},
        {"mlflow.user", "bench"},
        {"mlflow.source.name", "support_agent.py"},
        {"mlflow.source.type", "LOCAL"},
        {"mlflow.traceInputs", request.dump().substr(0, 250)},
        {"mlflow.traceOutputs", json(a).dump().substr(0, 250)},
        {"mlflow.trace.sizeStats", size_stats.dump()},
        {"mlflow.trace.sizeBytes", std::to_string(size_bytes)},
        {"mlflow.trace.tokenUsage", tokens.dump()}}},
      {"tags", tags},
  };
  return json{{"trace", {{"trace_info", info}}}}.dump();
}

}  // namespace loadgen::traces
