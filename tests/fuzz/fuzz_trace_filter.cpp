// SearchTraces' filter and order_by grammar (src/search/trace_filter) and its SQL
// (src/store/sql/trace_search_sql). The first input byte picks filter or order_by (bit 0) and the
// SQL dialect (bits 1-2); the rest is the text. Invariants: parsing is a pure function (same
// input, same result); only MlflowError(INVALID_PARAMETER_VALUE) escapes parsing and compiling;
// the compiled SQL has exactly one '?' per bound value, and its text never contains the input's
// quoted strings (user text only travels as binds).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "fuzz_check.hpp"
#include "search/trace_filter.hpp"
#include "store/sql/trace_search_sql.hpp"

using namespace sextant;

namespace {

bool same(const search::TraceFilter& a, const search::TraceFilter& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto& x = a[i];
    const auto& y = b[i];
    if (x.target != y.target || x.key != y.key || x.op != y.op || x.value.kind != y.value.kind ||
        x.value.text != y.value.text || x.value.list != y.value.list || x.value.number != y.value.number) {
      return false;
    }
  }
  return true;
}

const db::Dialect& dialect_of(std::uint8_t bits) {
  switch (bits % 3) {
    case 0: return db::sqlite_dialect();
    case 1: return db::postgres_dialect();
    default: return db::mysql_dialect();
  }
}

void check_sql(const store::sql::SqlQuery& q) {
  FUZZ_CHECK(static_cast<std::size_t>(std::count(q.text.begin(), q.text.end(), '?')) == q.binds.size());
  // Every quote in the SQL text is one of the compiler's own literals ('trace', 'run', ...).
  FUZZ_CHECK(q.text.find(';') == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool order_by = (data[0] & 1) != 0;
  const db::Dialect& dialect = dialect_of(static_cast<std::uint8_t>(data[0] >> 1));
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  if (order_by) {
    std::vector<std::string> clauses;
    std::size_t start = 0;
    while (start <= text.size()) {  // '\n' separates the elements of the list
      const auto end = std::min(text.find('\n', start), text.size());
      clauses.emplace_back(text.substr(start, end - start));
      start = end + 1;
    }
    std::vector<search::TraceOrderBy> parsed;
    if (refused_as_invalid([&] { parsed = search::parse_trace_order_by_list(clauses); })) return 0;
    FUZZ_CHECK(parsed.size() == clauses.size());
    store::sql::SqlQuery q;
    FUZZ_CHECK(!refused_as_invalid([&] { q = store::sql::compile_trace_search({1, 2}, {}, parsed, 100, 0, dialect); }));
    check_sql(q);
    return 0;
  }

  search::TraceFilter first, second;
  const bool a = refused_as_invalid([&] { first = search::parse_trace_filter(text); });
  const bool b = refused_as_invalid([&] { second = search::parse_trace_filter(text); });
  FUZZ_CHECK(a == b);
  if (a) return 0;
  FUZZ_CHECK(same(first, second));
  for (const auto& c : first) {
    const bool list_op = c.op == search::TraceComparator::In || c.op == search::TraceComparator::NotIn;
    FUZZ_CHECK(list_op == (c.value.kind == search::Value::Kind::List));
    FUZZ_CHECK(!list_op || !c.value.list.empty());
  }
  store::sql::SqlQuery q;
  // RLIKE on SQLite is the only refusal the compiler may add.
  if (!refused_as_invalid([&] { q = store::sql::compile_trace_search({1}, first, {}, 10, 0, dialect); })) {
    check_sql(q);
    refused_as_invalid([&] { q = store::sql::compile_trace_filter_counts({1}, first, first, {}, dialect); });
    check_sql(q);
  }
  return 0;
}
