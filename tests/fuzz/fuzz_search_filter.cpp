// MLflow search filters and order_by clauses of runs, experiments, registered models and model
// versions (src/search/filter_parser). The first input byte picks the grammar and filter or
// order_by; the rest is the text. Invariants: parsing is a pure function (same input, same
// result); only MlflowError(INVALID_PARAMETER_VALUE) escapes; a parsed filter or order_by,
// printed back in canonical syntax, parses to the same AST.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "filter_printing.hpp"
#include "fuzz_check.hpp"
#include "search/filter_parser.hpp"

using namespace sextant;
using search::Clause;
using search::Comparator;
using search::EntityKind;
using search::Grammar;
using search::Value;

namespace {

bool same_value(const Value& a, const Value& b) {
  return a.kind == b.kind && a.text == b.text && a.list == b.list &&
         (a.kind != Value::Kind::Number || a.number == b.number || (a.number != a.number && b.number != b.number));
}
bool same(const search::Filter& a, const search::Filter& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].entity != b[i].entity || a[i].key != b[i].key || a[i].op != b[i].op || !same_value(a[i].value, b[i].value))
      return false;
  return true;
}
bool same(const search::OrderBy& a, const search::OrderBy& b) {
  return a.entity == b.entity && a.key == b.key && a.ascending == b.ascending;
}

const char* op_text(Comparator op) {
  switch (op) {
    case Comparator::Eq: return "=";
    case Comparator::NotEq: return "!=";
    case Comparator::Gt: return ">";
    case Comparator::Ge: return ">=";
    case Comparator::Lt: return "<";
    case Comparator::Le: return "<=";
    case Comparator::Like: return "LIKE";
    case Comparator::ILike: return "ILIKE";
    case Comparator::In: return "IN";
    case Comparator::NotIn: return "NOT IN";
  }
  return "?";
}

// The identifier in canonical syntax; nullopt when the key cannot be written without quotes
// inside quotes (the round trip is then not checked).
std::optional<std::string> identifier(EntityKind entity, const std::string& key, Grammar grammar) {
  if (key.empty() || !plain_literal(key)) return std::nullopt;
  const bool registry = grammar == Grammar::RegisteredModels || grammar == Grammar::ModelVersions;
  switch (entity) {
    case EntityKind::Attribute:
      if (registry || grammar == Grammar::Experiments) return key;  // the keys are plain words
      return "attributes.`" + key + "`";
    case EntityKind::Metric: return "metrics.`" + key + "`";
    case EntityKind::Param: return "params.`" + key + "`";
    case EntityKind::Tag: return "tags.`" + key + "`";
    case EntityKind::Dataset: return "datasets.`" + key + "`";
  }
  return std::nullopt;
}

std::optional<std::string> print(const search::Filter& filter, Grammar grammar) {
  std::string out;
  for (const Clause& c : filter) {
    auto id = identifier(c.entity, c.key, grammar);
    if (!id) return std::nullopt;
    if (!out.empty()) out += " AND ";
    out += *id + " " + op_text(c.op) + " ";
    switch (c.value.kind) {
      case Value::Kind::Number: out += c.value.text; break;
      case Value::Kind::String:
        if (!plain_literal(c.value.text)) return std::nullopt;
        out += "'" + c.value.text + "'";
        break;
      case Value::Kind::List: {
        if (c.value.list.empty()) return std::nullopt;  // "()" is refused; the empty list comes from filtering
        auto list = quoted_list(c.value.list);
        if (!list) return std::nullopt;
        out += *list;
        break;
      }
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto grammar = static_cast<Grammar>(data[0] & 3);
  const bool order_by = (data[0] & 4) != 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  if (!order_by) {
    search::Filter first, second;
    bool a = refused_as_invalid([&] { first = search::parse_filter(text, grammar); });
    bool b = refused_as_invalid([&] { second = search::parse_filter(text, grammar); });
    FUZZ_CHECK(a == b);
    if (a) return 0;
    FUZZ_CHECK(same(first, second));
    if (auto printed = print(first, grammar)) {
      search::Filter again;
      if (refused_as_invalid([&] { again = search::parse_filter(*printed, grammar); })) {
        std::fprintf(stderr, "canonical form refused: %s\n", printed->c_str());
        FUZZ_CHECK(false);
      }
      if (!same(first, again)) std::fprintf(stderr, "canonical form differs: %s\n", printed->c_str());
      FUZZ_CHECK(same(first, again));
    }
  } else {
    search::OrderBy first, second;
    bool a = refused_as_invalid([&] { first = search::parse_order_by(text, grammar); });
    bool b = refused_as_invalid([&] { second = search::parse_order_by(text, grammar); });
    FUZZ_CHECK(a == b);
    if (a) return 0;
    FUZZ_CHECK(same(first, second));
    if (auto id = identifier(first.entity, first.key, grammar)) {
      std::string printed = *id + (first.ascending ? " ASC" : " DESC");
      search::OrderBy again;
      if (refused_as_invalid([&] { again = search::parse_order_by(printed, grammar); })) {
        std::fprintf(stderr, "canonical form refused: %s\n", printed.c_str());
        FUZZ_CHECK(false);
      }
      FUZZ_CHECK(same(first, again));
    }
  }
  return 0;
}
