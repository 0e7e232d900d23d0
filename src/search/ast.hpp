// Search AST: MLflow's filter and order_by grammars parsed into plain data.
// Produced by search/filter_parser.hpp; compiled to SQL by store/sql (never by pasting text).
// Pure values, no I/O; safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sextant::search {

// What a clause's identifier refers to.
enum class EntityKind { Attribute, Metric, Param, Tag, Dataset };

enum class Comparator { Eq, NotEq, Gt, Ge, Lt, Le, Like, ILike, In, NotIn };

// A literal on the right-hand side of a comparison.
struct Value {
  enum class Kind { String, Number, List };
  Kind kind = Kind::String;
  std::string text;               // String: unquoted content (no escape processing);
                                  // Number: the literal as written (e.g. "-1.5e-3")
  double number = 0;              // Number
  std::vector<std::string> list;  // List: unquoted strings. Entries that are not lowercase
                                  // (Python str.islower()) are dropped by the parser, so the
                                  // list may be empty: IN () matches nothing, NOT IN () all.
};

struct Clause {
  EntityKind entity = EntityKind::Attribute;
  // Attribute: canonical attribute name (aliases resolved, e.g. "created" -> "start_time",
  //            "run name" -> "run_name"). Dataset: "name" | "digest" | "context".
  // Metric/Param/Tag: the key exactly as written, quotes removed.
  std::string key;
  Comparator op = Comparator::Eq;
  Value value;
};

// A filter is an AND of clauses; an empty vector means "no filter".
using Filter = std::vector<Clause>;

struct OrderBy {
  EntityKind entity = EntityKind::Attribute;  // Attribute, Metric, Param or Tag
  std::string key;                            // canonical attribute name or the key
  bool ascending = true;
};

// Which grammar to apply (entities, attribute names and comparators allowed differ).
// RegisteredModels (§3.4): attribute `name`, tags. ModelVersions (§3.5): attributes `name`,
// `run_id` (also IN a list), `source_path`, `version_number` (number, or a string compared
// numerically), tags. Order keys: RegisteredModels `name` | `last_updated_timestamp` (alias
// `timestamp`); ModelVersions `name` | `version_number` | `creation_timestamp` |
// `last_updated_timestamp`. Both produce only Attribute and Tag clauses.
// EvaluationDatasets (MLflow's SearchEvaluationDatasetsUtils): attributes `name`, `created_by`,
// `last_updated_by` (strings: = != LIKE ILIKE) and `created_time`, `last_update_time` (numbers:
// = != < <= > >=) without a prefix, and `tags.<key>` (= != LIKE ILIKE); order keys `name`,
// `created_time`, `last_update_time`.
enum class Grammar { Runs, Experiments, RegisteredModels, ModelVersions, EvaluationDatasets };

}  // namespace sextant::search
