// SearchLoggedModels' filter grammar and order_by fields (src/search/logged_model_filter). The
// first input byte picks filter or order_by. Invariants: only MlflowError(INVALID_PARAMETER_VALUE)
// escapes; a parsed filter printed back in canonical syntax parses to the same comparisons; an
// order_by field round-trips through its canonical name.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "filter_printing.hpp"
#include "fuzz_check.hpp"
#include "search/logged_model_filter.hpp"

using namespace sextant;
using search::LoggedModelComparison;
using search::LoggedModelEntity;
using search::LoggedModelOp;

namespace {

bool same_number(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool same(const search::LoggedModelFilter& a, const search::LoggedModelFilter& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto &x = a[i], &y = b[i];
    if (x.entity != y.entity || x.key != y.key || x.op != y.op || x.kind != y.kind || x.text != y.text ||
        x.list != y.list || !same_number(x.number, y.number))
      return false;
  }
  return true;
}

const char* op_text(LoggedModelOp op) {
  switch (op) {
    case LoggedModelOp::Eq: return "=";
    case LoggedModelOp::NotEq: return "!=";
    case LoggedModelOp::Gt: return ">";
    case LoggedModelOp::Ge: return ">=";
    case LoggedModelOp::Lt: return "<";
    case LoggedModelOp::Le: return "<=";
    case LoggedModelOp::Like: return "LIKE";
    case LoggedModelOp::ILike: return "ILIKE";
    case LoggedModelOp::In: return "IN";
    case LoggedModelOp::NotIn: return "NOT IN";
  }
  return "?";
}

// Canonical text of the filter; nullopt when a key or value cannot be written plainly.
std::optional<std::string> print(const search::LoggedModelFilter& filter) {
  std::string out;
  for (const LoggedModelComparison& c : filter) {
    if (c.key.empty() || !plain_literal(c.key)) return std::nullopt;
    if (!out.empty()) out += " AND ";
    switch (c.entity) {
      case LoggedModelEntity::Attribute: out += "attributes." + c.key; break;
      case LoggedModelEntity::Metric: out += "metrics.`" + c.key + "`"; break;
      case LoggedModelEntity::Param: out += "params.`" + c.key + "`"; break;
      case LoggedModelEntity::Tag: out += "tags.`" + c.key + "`"; break;
    }
    out += std::string(" ") + op_text(c.op) + " ";
    switch (c.kind) {
      case LoggedModelComparison::Kind::Number: {
        if (std::isinf(c.number) && c.number < 0) return std::nullopt;  // "-inf" is not a literal
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", c.number);
        out += buf;
        break;
      }
      case LoggedModelComparison::Kind::String:
        if (!plain_literal(c.text)) return std::nullopt;
        out += "'" + c.text + "'";
        break;
      case LoggedModelComparison::Kind::List: {
        auto list = quoted_list(c.list);
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
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1) == 0) {
    search::LoggedModelFilter parsed;
    if (refused_as_invalid([&] { parsed = search::parse_logged_model_filter(text); })) return 0;
    for (const auto& c : parsed) {
      if (c.entity == LoggedModelEntity::Attribute) FUZZ_CHECK(search::logged_model_attribute_column(c.key) == c.key);
      FUZZ_CHECK((c.kind == LoggedModelComparison::Kind::List) == (c.op == LoggedModelOp::In || c.op == LoggedModelOp::NotIn));
    }
    if (auto printed = print(parsed)) {
      search::LoggedModelFilter again;
      bool bad = refused_as_invalid([&] { again = search::parse_logged_model_filter(*printed); }) || !same(parsed, again);
      if (bad) std::fprintf(stderr, "canonical form does not round-trip: %s\n", printed->c_str());
      FUZZ_CHECK(!bad);
    }
  } else {
    const bool ascending = (data[0] & 2) != 0;
    search::LoggedModelOrderBy parsed;
    if (refused_as_invalid([&] { parsed = search::parse_logged_model_order_by(text, ascending, std::nullopt, std::nullopt); }))
      return 0;
    FUZZ_CHECK(parsed.ascending == ascending);
    std::string canonical = parsed.kind == search::LoggedModelOrderBy::Kind::Metric ? "metrics." + parsed.key : parsed.key;
    search::LoggedModelOrderBy again;
    FUZZ_CHECK(!refused_as_invalid([&] { again = search::parse_logged_model_order_by(canonical, ascending, std::nullopt, std::nullopt); }));
    FUZZ_CHECK(again.kind == parsed.kind && again.key == parsed.key);
  }
  return 0;
}
