#include "otlp/genai_translation.hpp"

#include <charconv>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "core/otel_span_kind.hpp"
#include "otlp/otlp_error.hpp"
#include "otlp/python_text.hpp"
#include "util/python_json.hpp"
#include "util/python_json_loads.hpp"

namespace sextant::otlp {

namespace {

using json = nlohmann::ordered_json;

struct Convention {
  const char* input_tokens;
  const char* output_tokens;
  const char* total_tokens;
  std::vector<const char*> inputs, outputs;  // keys; "~pattern" entries: matches_prefix
  bool vercel = false;
};

const std::vector<Convention>& conventions() {
  static const std::vector<Convention> all = {
      {"llm.token_count.prompt", "llm.token_count.completion", "llm.token_count.total", {"input.value"},
       {"output.value"}},  // OpenInference
      {"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", nullptr,  // GenAI semantic conventions
       {"gen_ai.input.messages", "gen_ai.tool.call.arguments"}, {"gen_ai.output.messages", "gen_ai.tool.call.result"}},
      {"gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "llm.usage.total_tokens",  // Traceloop
       {"traceloop.entity.input", "~gen_ai.prompt.#.content", "~gen_ai.completion.#.tool_calls.#.arguments"},
       {"traceloop.entity.output", "~gen_ai.completion.#.content"}},
      {nullptr, nullptr, nullptr,  // Google ADK
       {"gcp.vertex.agent.llm_request", "gcp.vertex.agent.tool_call_args"},
       {"gcp.vertex.agent.llm_response", "gcp.vertex.agent.tool_response"}},
      {nullptr, nullptr, nullptr,  // Vercel AI
       {"ai.prompt", "ai.toolCall.args", "ai.value", "ai.values"},
       {"ai.response.text", "ai.toolCall.result", "ai.response.object", "ai.embedding", "ai.embeddings"}, true},
  };
  return all;
}

// json.loads as MLflow's translation calls it: a RecursionError fails the trace.
util::PythonJsonLoad loads(std::string_view text) {
  auto r = util::python_json_loads(text);
  if (r.status == util::PythonJsonLoad::Status::TooDeep) {
    throw OtlpError(OtlpError::Kind::TraceFailed, "maximum recursion depth exceeded while decoding a JSON document");
  }
  return r;
}

// base._get_and_check_attribute_value: the value when its JSON is truthy (or it is not JSON).
const std::string* checked_value(const SpanAttributes& attributes, std::string_view key) {
  const std::string* v = attributes.get(key);
  if (!v || v->empty()) return nullptr;
  auto r = loads(*v);
  if (r.status == util::PythonJsonLoad::Status::Ok && !util::python_truthy(r.value)) return nullptr;
  return v;
}

// re.match of Traceloop's patterns (anchored at the start only): `pattern` is literal text
// where '#' stands for \d+ (one or more ASCII digits).
bool matches_prefix(std::string_view pattern, std::string_view key) {
  std::size_t k = 0;
  for (char p : pattern) {
    if (p == '#') {
      std::size_t start = k;
      while (k < key.size() && key[k] >= '0' && key[k] <= '9') ++k;
      if (k == start) return false;
    } else {
      if (k >= key.size() || key[k] != p) return false;
      ++k;
    }
  }
  return true;
}

std::optional<std::string> lookup(const SpanAttributes& attributes, const std::vector<const char*>& keys) {
  for (const char* key : keys) {
    if (key[0] != '~') {
      if (const std::string* v = checked_value(attributes, key)) return *v;
      continue;
    }
    for (const auto& [k, value] : attributes.items()) {
      if (!matches_prefix(key + 1, k)) continue;
      if (const std::string* v = checked_value(attributes, k)) return *v;
    }
  }
  return std::nullopt;
}

// VercelAITranslator._safe_load_json.
json safe_load(const json& value, int max_depth = 2) {
  if (!value.is_string()) return value;
  auto r = loads(value.get_ref<const std::string&>());
  if (r.status != util::PythonJsonLoad::Status::Ok) return value;
  return max_depth > 0 ? safe_load(r.value, max_depth - 1) : r.value;
}

bool vercel_chat_span(const SpanAttributes& attributes) {
  const std::string* kind = attributes.get("ai.operationId");
  if (!kind) return false;
  json v = safe_load(json(*kind));
  return v.is_string() && v.get_ref<const std::string&>() == "ai.generateText.doGenerate";
}

const char* python_type_name(const json& v) {
  if (v.is_boolean()) return "bool";
  if (v.is_number_float()) return "float";
  if (v.is_number()) return "int";
  return "NoneType";
}

// json.dumps of {suffix: safe_load(value)} over the attributes named prefix + suffix.
std::optional<std::string> vercel_unpacked(const SpanAttributes& attributes, std::string_view prefix, bool tools) {
  json obj = json::object();
  for (const auto& [key, value] : attributes.items()) {
    if (key.size() >= prefix.size() && std::string_view(key).substr(0, prefix.size()) == prefix) {
      obj[key.substr(prefix.size())] = safe_load(json(value));
    }
  }
  if (obj.empty()) return std::nullopt;
  if (tools && obj.contains("tools")) {
    const json& t = obj["tools"];
    json list = json::array();
    if (t.is_array()) {
      for (const auto& item : t) list.push_back(safe_load(item));
    } else if (t.is_object()) {
      for (const auto& [k, unused] : t.items()) list.push_back(safe_load(json(k)));
    } else if (t.is_string()) {
      // Iterating a str gives its characters.
      const auto& s = t.get_ref<const std::string&>();
      for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0xf0) len = 4;
        else if (c >= 0xe0) len = 3;
        else if (c >= 0xc0) len = 2;
        list.push_back(safe_load(json(s.substr(i, len))));
        i += len;
      }
    } else {
      throw OtlpError(OtlpError::Kind::TraceFailed, std::string("'") + python_type_name(t) + "' object is not iterable");
    }
    obj["tools"] = std::move(list);
  }
  return util::python_json_dumps(obj);
}

// Python's int() of a stored JSON text (only the text of an integer attribute parses).
std::int64_t python_int(const std::string& text) {
  std::string_view s = text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    throw OtlpError(OtlpError::Kind::TraceFailed, "invalid literal for int() with base 10: " + python_str_repr(text));
  }
  return v;
}

}  // namespace

namespace {

// The first convention's inputs (or outputs): Vercel AI's doGenerate span from its prefix.
std::optional<std::string> translated_value(const SpanAttributes& attributes, bool inputs) {
  for (const auto& c : conventions()) {
    if (c.vercel && vercel_chat_span(attributes)) {
      if (auto v = vercel_unpacked(attributes, inputs ? "ai.prompt." : "ai.response.", inputs)) return v;
      continue;
    }
    if (auto v = lookup(attributes, inputs ? c.inputs : c.outputs)) return v;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> translated_inputs(const SpanAttributes& attributes) { return translated_value(attributes, true); }

std::optional<std::string> translated_outputs(const SpanAttributes& attributes) {
  return translated_value(attributes, false);
}

std::optional<std::string> translated_token_usage(const SpanAttributes& attributes) {
  for (const auto& c : conventions()) {
    if (!c.input_tokens) continue;
    const std::string* in = attributes.get(c.input_tokens);
    const std::string* out = attributes.get(c.output_tokens);
    const std::string* total = c.total_tokens ? attributes.get(c.total_tokens) : nullptr;
    if (!in || !out) continue;  // stored texts are never empty: present means truthy
    std::int64_t i = python_int(*in), o = python_int(*out);
    std::int64_t t = 0;
    if (total) {
      t = python_int(*total);
    } else if (__builtin_add_overflow(i, o, &t)) {
      throw OtlpError(OtlpError::Kind::TraceFailed, "token counts out of range");
    }
    if (!total && t == 0) continue;  // a computed total of 0 is falsy in MLflow
    json usage = json::object();
    usage["input_tokens"] = i;
    usage["output_tokens"] = o;
    usage["total_tokens"] = t;
    return util::python_json_dumps(usage);
  }
  return std::nullopt;
}

std::optional<std::string> translated_span_type(const SpanAttributes& attributes) {
  auto type = core::mlflow_span_type_from_otel([&](std::string_view key) -> std::optional<std::string> {
    const std::string* raw = attributes.get(key);
    if (!raw) return std::nullopt;
    auto r = util::python_json_loads(*raw);
    if (r.status != util::PythonJsonLoad::Status::Ok) return *raw;
    if (!r.value.is_string()) return std::nullopt;
    return r.value.get<std::string>();
  });
  if (!type) return std::nullopt;
  return std::string(*type);
}

}  // namespace sextant::otlp
