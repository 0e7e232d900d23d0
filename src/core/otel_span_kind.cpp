#include "core/otel_span_kind.hpp"

#include <utility>
#include <vector>

namespace sextant::core {

namespace {

using KindMap = std::vector<std::pair<std::string_view, std::string_view>>;

struct Translator {
  std::string_view key;
  KindMap kinds;
};

const Translator kTranslators[] = {
    {"openinference.span.kind",
     {{"TOOL", "TOOL"}, {"CHAIN", "CHAIN"}, {"LLM", "LLM"}, {"RETRIEVER", "RETRIEVER"}, {"EMBEDDING", "EMBEDDING"},
      {"AGENT", "AGENT"}, {"RERANKER", "RERANKER"}, {"UNKNOWN", "UNKNOWN"}, {"GUARDRAIL", "GUARDRAIL"},
      {"EVALUATOR", "EVALUATOR"}}},
    {"gen_ai.operation.name",
     {{"chat", "CHAT_MODEL"}, {"create_agent", "AGENT"}, {"embeddings", "EMBEDDING"}, {"execute_tool", "TOOL"},
      {"generate_content", "LLM"}, {"invoke_agent", "AGENT"}, {"text_completion", "LLM"}, {"response", "LLM"}}},
    {"traceloop.span.kind",
     {{"workflow", "WORKFLOW"}, {"task", "TASK"}, {"agent", "AGENT"}, {"tool", "TOOL"}, {"unknown", "UNKNOWN"}}},
    {"ai.operationId",
     {{"ai.generateText", "LLM"}, {"ai.generateText.doGenerate", "LLM"}, {"ai.toolCall", "TOOL"},
      {"ai.streamText", "LLM"}, {"ai.streamText.doStream", "LLM"}, {"ai.generateObject", "LLM"},
      {"ai.generateObject.doGenerate", "LLM"}, {"ai.streamObject", "LLM"}, {"ai.streamObject.doStream", "LLM"},
      {"ai.embed", "EMBEDDING"}, {"ai.embed.doEmbed", "EMBEDDING"}, {"ai.embedMany", "EMBEDDING"}}},
};

}  // namespace

std::optional<std::string_view> mlflow_span_type_from_otel(
    const std::function<std::optional<std::string>(std::string_view key)>& kind_of) {
  for (const auto& t : kTranslators) {
    auto kind = kind_of(t.key);
    if (!kind || kind->empty()) continue;
    for (const auto& [from, to] : t.kinds)
      if (from == *kind) return to;
  }
  return std::nullopt;
}

}  // namespace sextant::core
