#include "graphql/query_limits.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "graphql/error.hpp"

namespace sextant::graphql {

namespace {

struct Counts {
  std::size_t root_fields = 0;
  std::size_t max_aliases = 0;
  std::size_t selections = 0;
};

[[noreturn]] void too_deep(const QueryLimits& l) {
  throw GraphqlError("Query exceeds maximum depth of " + std::to_string(l.max_depth));
}
void count_selection(Counts& c, const QueryLimits& l) {
  if (++c.selections > l.max_selections)
    throw GraphqlError("Query exceeds maximum total selections of " + std::to_string(l.max_selections));
}

// MLflow's scan_query for one definition: fields only, spreads and inline fragments not entered.
void scan_like_mlflow(const std::vector<Selection>& top, Counts& c, const QueryLimits& l) {
  std::vector<std::pair<const std::vector<Selection>*, std::size_t>> stack{{&top, 1}};
  while (!stack.empty()) {
    auto [set, depth] = stack.back();
    stack.pop_back();
    if (depth > l.max_depth) too_deep(l);
    std::size_t aliases = 0;
    for (const auto& s : *set) {
      if (s.kind != Selection::Kind::Field) continue;
      if (depth == 1) ++c.root_fields;
      if (!s.alias.empty()) ++aliases;
      if (s.has_selection_set) stack.emplace_back(&s.selections, depth + 1);
      count_selection(c, l);
    }
    c.max_aliases = std::max(c.max_aliases, aliases);
  }
}

// The same limits over an operation with its fragments expanded. A spread of a fragment that
// is being expanded already (a cycle, which validation reports) or unknown is not entered.
class ExpandedScan {
 public:
  ExpandedScan(const Document& doc, const QueryLimits& limits, Counts& counts) : limits_(limits), c_(counts) {
    for (const auto& f : doc.fragments) fragments_.emplace(f.name, &f);
  }

  void operation(const Operation& op) {
    std::size_t aliases = 0;
    set(op.selections, 1, aliases, true);
    c_.max_aliases = std::max(c_.max_aliases, aliases);
  }

 private:
  // `aliases` counts the aliases of the (merged) selection set this set contributes to.
  void set(const std::vector<Selection>& selections, std::size_t depth, std::size_t& aliases, bool root) {
    if (depth > limits_.max_depth) too_deep(limits_);
    for (const auto& s : selections) {
      count_selection(c_, limits_);
      switch (s.kind) {
        case Selection::Kind::Field: {
          if (root) ++root_fields_;
          if (!s.alias.empty()) ++aliases;
          if (s.has_selection_set) {
            std::size_t inner = 0;
            set(s.selections, depth + 1, inner, false);
            c_.max_aliases = std::max(c_.max_aliases, inner);
          }
          break;
        }
        case Selection::Kind::InlineFragment: set(s.selections, depth, aliases, root); break;
        case Selection::Kind::FragmentSpread: {
          auto it = fragments_.find(s.name);
          if (it == fragments_.end() || active_.count(s.name)) break;
          active_.insert(s.name);
          set(it->second->selections, depth, aliases, root);
          active_.erase(s.name);
          break;
        }
      }
    }
    if (root) c_.root_fields = std::max(c_.root_fields, root_fields_);
  }

  const QueryLimits& limits_;
  Counts& c_;
  std::map<std::string, const Fragment*, std::less<>> fragments_;
  std::set<std::string, std::less<>> active_;
  std::size_t root_fields_ = 0;
};

}  // namespace

std::string check_query_limits(const Document& doc, const QueryLimits& limits) {
  Counts mlflow;
  Counts expanded;
  try {
    for (const auto& op : doc.operations) scan_like_mlflow(op.selections, mlflow, limits);
    for (const auto& f : doc.fragments) scan_like_mlflow(f.selections, mlflow, limits);
    for (const auto& op : doc.operations) {
      Counts one;
      ExpandedScan(doc, limits, one).operation(op);
      expanded.root_fields = std::max(expanded.root_fields, one.root_fields);
      expanded.max_aliases = std::max(expanded.max_aliases, one.max_aliases);
    }
  } catch (const GraphqlError& e) {
    return e.what();
  }
  auto message = [](std::size_t limit, const char* what, std::size_t value, const char* variable) {
    return "GraphQL queries should have at most " + std::to_string(limit) + " " + what + ", got " +
           std::to_string(value) + " " + what + ". To increase the limit, set the " + variable +
           " environment variable.";
  };
  std::size_t root = std::max(mlflow.root_fields, expanded.root_fields);
  std::size_t aliases = std::max(mlflow.max_aliases, expanded.max_aliases);
  if (root > limits.max_root_fields) return message(limits.max_root_fields, "root fields", root, "MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS");
  if (aliases > limits.max_aliases) return message(limits.max_aliases, "aliases", aliases, "MLFLOW_SERVER_GRAPHQL_MAX_ALIASES");
  return "";
}

}  // namespace sextant::graphql
