// GraphQL documents (src/graphql) run through everything before a resolver reaches a route:
// parse (with its limits), MLflow's query limits, validation against MLflow's schema, and
// execution with resolvers that refuse every call. Invariants: only GraphqlError escapes the
// parser; the limits check, validation and execution never throw; a document is parsed the
// same way twice (same error or same shape); execution of an accepted document yields a JSON
// object whose every error is a non-empty message.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "api/graphql_schema.hpp"
#include "fuzz_check.hpp"
#include "graphql/error.hpp"
#include "graphql/executor.hpp"
#include "graphql/parser.hpp"
#include "graphql/query_limits.hpp"

using namespace sextant;

namespace {

struct RefusingRpc : api::MlflowRpc {
  nlohmann::json call(const std::string&, const std::string& path, const nlohmann::json&) override {
    throw std::runtime_error("refused: " + path);
  }
};

std::string parse_outcome(std::string_view text, graphql::Document* out) {
  try {
    auto doc = graphql::parse(text);
    std::string shape = std::to_string(doc.operations.size()) + "/" + std::to_string(doc.fragments.size());
    if (out) *out = std::move(doc);
    return shape;
  } catch (const graphql::GraphqlError& e) {
    std::string m = e.what();
    FUZZ_CHECK(!m.empty());
    return "error: " + m;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const graphql::Schema schema = api::build_mlflow_graphql_schema();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  graphql::Document doc;
  auto first = parse_outcome(text, &doc);
  FUZZ_CHECK(first == parse_outcome(text, nullptr));
  if (first.starts_with("error: ")) return 0;
  graphql::QueryLimits limits;
  if (!graphql::check_query_limits(doc, limits).empty()) return 0;
  RefusingRpc rpc;
  std::optional<std::string> operation;
  if (!doc.operations.empty() && !doc.operations.back().name.empty()) operation = doc.operations.back().name;
  auto result = graphql::execute(schema, doc, operation, nlohmann::json{{"v", "x"}, {"i", 1}}, rpc);
  FUZZ_CHECK(result.data.is_null() || result.data.is_object());
  FUZZ_CHECK(!result.data.is_null() || !result.errors.empty());
  for (const auto& e : result.errors) FUZZ_CHECK(!e.empty());
  return 0;
}
