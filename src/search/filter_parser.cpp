// MLflow search filter / order_by parser (mlflow-api.md §3.1-3.3, §3.8).
//
// Hand-written scanner; no regex. Behaviour follows mlflow/utils/search_utils.py (sqlparse-based)
// closely, including its error wording. Parsing of a filter runs in phases so that errors are
// reported in the same order as the reference:
//   1. a ';' followed by more text      -> "Search filter contained multiple expression ..."
//   2. structural scan of all clauses   -> "Invalid clause(s) in filter string: ..."
//   3. identifier and value kind checks -> entity / attribute key / value type / list errors
//   4. comparator checks                -> "Invalid comparator 'X' not one of '...'"
// All indexing is bounds-checked; every failure is an MlflowError(INVALID_PARAMETER_VALUE).
#include "search/filter_parser.hpp"

#include "util/strings.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <system_error>
#include <vector>

#include "core/error.hpp"
#include "search/filter_scanner.hpp"
#include "search/limits.hpp"

namespace sextant::search {
namespace {

using core::throw_invalid;

using namespace scanner;


// ---- grammar tables --------------------------------------------------------------------------

constexpr const char* kRunsEntities = "['metric', 'parameter', 'tag', 'attribute', 'dataset']";
constexpr const char* kExperimentEntities = "('attribute', 'tag', 'tags')";
constexpr const char* kRunsFilterKeys =
    "{'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time', "
    "'created', 'Created', 'run name', 'Run name', 'Run Name'}";
constexpr const char* kRunsOrderKeys =
    "{'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time', "
    "'created', 'Created'}";
constexpr const char* kExperimentFilterKeys = "{'name', 'creation_time', 'last_update_time'}";
constexpr const char* kExperimentOrderKeys =
    "{'name', 'experiment_id', 'creation_time', 'last_update_time'}";
constexpr const char* kDatasetKeys = "{'name', 'digest', 'context'}";
// Registry grammars (MLflow's SearchModelUtils / SearchModelVersionUtils and the SQL store).
constexpr const char* kRegistryEntities = "('attribute', 'tag', 'tags')";
constexpr const char* kModelFilterKeys = "{'name'}";
constexpr const char* kVersionFilterKeys = "{'name', 'version_number', 'run_id', 'source_path'}";
constexpr const char* kVersionNumericKeys =
    "{'version_number', 'creation_timestamp', 'last_updated_timestamp'}";
constexpr const char* kVersionOrderKeys =
    "{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}";
constexpr const char* kModelOrderKeysRecommended = "{'name', 'timestamp'}";

constexpr const char* kEvalDatasetFilterKeys =
    "{'name', 'created_time', 'last_update_time', 'created_by', 'last_updated_by'}";
constexpr const char* kEvalDatasetOrderKeys = "{'name', 'created_time', 'last_update_time'}";
constexpr const char* kNumericOps = "{'=', '!=', '>', '>=', '<', '<='}";
constexpr const char* kStringOps = "{'=', '!=', 'LIKE', 'ILIKE'}";
constexpr const char* kStringListOps = "{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}";

bool runs_attribute_key(std::string_view k) {
  return one_of(k, {"run_id", "run_name", "status", "user_id", "artifact_uri", "start_time",
                    "end_time", "created", "Created", "run name", "Run name", "Run Name"});
}
bool runs_order_key(std::string_view k) {
  return one_of(k, {"run_id", "run_name", "status", "user_id", "artifact_uri", "start_time",
                    "end_time", "created", "Created"});
}
bool runs_numeric_key(std::string_view k) {
  return one_of(k, {"start_time", "end_time", "created", "Created"});
}
bool dataset_key(std::string_view k) { return one_of(k, {"name", "digest", "context"}); }
bool experiment_numeric_key(std::string_view k) {
  return one_of(k, {"creation_time", "last_update_time"});
}

// MLflow's translate_key_alias.
std::string canonical_attribute(const std::string& k) {
  if (k == "created" || k == "Created") return "start_time";
  if (k == "run name" || k == "Run name" || k == "Run Name") return "run_name";
  return k;
}

EntityKind runs_entity(const RawIdent& id) {
  if (!id.has_entity) return EntityKind::Attribute;
  const std::string& e = id.entity;
  if (e == "metric" || e == "metrics") return EntityKind::Metric;
  if (e == "param" || e == "params" || e == "parameter" || e == "parameters") {
    return EntityKind::Param;
  }
  if (e == "tag" || e == "tags") return EntityKind::Tag;
  if (e == "attribute" || e == "attributes" || e == "attr" || e == "run") {
    return EntityKind::Attribute;
  }
  if (e == "dataset" || e == "datasets") return EntityKind::Dataset;
  throw_invalid("Invalid entity type '" + e + "'. Valid values are " + kRunsEntities);
}

// Experiments accept only the exact prefixes attribute., tag., tags. (no backticks).
EntityKind experiments_entity(const RawIdent& id) {
  if (!id.has_entity) return EntityKind::Attribute;
  const std::string shown = id.entity_backticked ? "`" + id.entity + "`" : id.entity;
  if (shown == "attribute") return EntityKind::Attribute;
  if (shown == "tag" || shown == "tags") return EntityKind::Tag;
  throw_invalid("Invalid entity type '" + shown + "'. Valid entity types are " +
                kExperimentEntities);
}

// ---- phase 3: identifier and value checks ----------------------------------------------------

struct Resolved {
  EntityKind entity = EntityKind::Attribute;
  std::string raw_key;  // as written (quotes removed), used in messages
  std::string key;      // canonical
  bool numeric = false;  // numeric attribute (or metric)
  Value value;
};

// Lists (MLflow's _parse_run_ids): non-empty, all strings. Entries that are not lowercase per
// Python str.islower() are dropped - run ids are lowercase hex and MySQL's IN is
// case-insensitive. MLflow applies the same filter to dataset lists, and so do we. The result
// may therefore be empty.
Value list_value(const RawValue& v) {
  check_list(v);
  Value out;
  out.kind = Value::Kind::List;
  for (const auto& item : v.items) {
    if (py_islower(item)) out.list.push_back(item);
  }
  return out;
}

// The value of a comparison on an integer attribute (experiments' and datasets' times).
Value numeric_attribute_value(const std::string& key, const RawValue& v) {
  if (v.kind != ValKind::Number) {
    throw_invalid("Expected numeric value type for numeric attribute: " + key + ". Found " + v.raw);
  }
  return number_value(v, /*integer_attribute=*/true);
}

Resolved resolve_runs(const RawClause& c) {
  Resolved r;
  r.entity = runs_entity(c.ident);
  r.raw_key = c.ident.key;
  r.key = c.ident.key;
  const RawValue& v = c.value;
  switch (r.entity) {
    case EntityKind::Attribute:
      if (!runs_attribute_key(r.raw_key)) {
        throw_invalid("Invalid attribute key '" + r.raw_key + "' specified. Valid keys are '" +
                      kRunsFilterKeys + "'");
      }
      r.key = canonical_attribute(r.raw_key);
      r.numeric = runs_numeric_key(r.raw_key);
      if (r.numeric) {
        r.value = numeric_attribute_value(r.raw_key, v);
      } else if (stringish(v.kind)) {
        r.value = string_value(expect_quoted(v));
      } else if (v.kind == ValKind::List) {
        if (r.raw_key != "run_id") {
          throw_invalid("Only the 'run_id' attribute supports comparison with a list of quoted "
                        "string values.");
        }
        r.value = list_value(v);
      } else {
        throw_invalid("Expected a quoted string value for attributes. Got value " + v.raw);
      }
      break;
    case EntityKind::Dataset:
      if (!dataset_key(r.raw_key)) {
        throw_invalid("Invalid dataset key '" + r.raw_key + "' specified. Valid keys are '" +
                      kDatasetKeys + "'");
      }
      if (stringish(v.kind)) {
        r.value = string_value(expect_quoted(v));
      } else if (v.kind == ValKind::List) {
        r.value = list_value(v);
      } else {
        throw_invalid("Expected a quoted string value for dataset attributes. Got value " + v.raw);
      }
      break;
    case EntityKind::Metric:
      r.numeric = true;
      if (v.kind != ValKind::Number) {
        throw_invalid("Expected numeric value type for metric. Found " + v.raw);
      }
      r.value = number_value(v);
      break;
    case EntityKind::Param:
    case EntityKind::Tag: {
      const char* what = r.entity == EntityKind::Param ? "parameter" : "tag";
      if (!stringish(v.kind)) {
        throw_invalid(std::string("Expected a quoted string value for ") + what +
                      " (e.g. 'my-value'). Got value " + v.raw);
      }
      r.value = string_value(expect_quoted(v));
      break;
    }
  }
  return r;
}

Resolved resolve_experiments(const RawClause& c) {
  Resolved r;
  r.entity = experiments_entity(c.ident);
  r.raw_key = c.ident.key;
  r.key = c.ident.key;
  const RawValue& v = c.value;
  if (r.entity == EntityKind::Attribute) {
    if (!one_of(r.raw_key, {"name", "creation_time", "last_update_time"})) {
      throw_invalid("Invalid attribute key '" + r.raw_key + "' specified. Valid keys are '" +
                    kExperimentFilterKeys + "'");
    }
    r.numeric = experiment_numeric_key(r.raw_key);
    if (r.numeric) {
      r.value = numeric_attribute_value(r.raw_key, v);
    } else if (stringish(v.kind)) {
      r.value = string_value(expect_quoted(v));
    } else if (v.kind == ValKind::List) {
      throw_invalid("Only the 'run_id' attribute supports comparison with a list of quoted "
                    "string values.");
    } else {
      throw_invalid("Expected a quoted string value for attributes. Got value " + v.raw);
    }
  } else {  // Tag
    if (!stringish(v.kind)) {
      throw_invalid("Expected a quoted string value for tag (e.g. 'my-value'). Got value " +
                    v.raw);
    }
    r.value = string_value(expect_quoted(v));
  }
  return r;
}

// Evaluation datasets (SearchEvaluationDatasetsUtils._get_identifier): a bare attribute key or
// tags.<key>; any other prefix is an invalid identifier token.
bool eval_dataset_numeric_key(std::string_view k) { return one_of(k, {"created_time", "last_update_time"}); }

EntityKind eval_dataset_entity(const RawIdent& id) {
  if (!id.has_entity) return EntityKind::Attribute;
  if (id.entity == "tags" && !id.entity_backticked) return EntityKind::Tag;
  throw_invalid("Invalid identifier token '" + id.entity + "' specified");
}

Resolved resolve_eval_datasets(const RawClause& c) {
  Resolved r;
  r.entity = eval_dataset_entity(c.ident);
  r.raw_key = c.ident.key;
  r.key = c.ident.key;
  const RawValue& v = c.value;
  if (r.entity == EntityKind::Attribute) {
    if (!one_of(r.key, {"name", "created_time", "last_update_time", "created_by", "last_updated_by"})) {
      throw_invalid("Invalid attribute key '" + r.key + "' specified. Valid keys are: " + kEvalDatasetFilterKeys);
    }
    r.numeric = eval_dataset_numeric_key(r.key);
    if (r.numeric) {
      r.value = numeric_attribute_value(r.key, v);
      return r;
    }
    if (v.kind == ValKind::List) {
      throw_invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    }
    if (!stringish(v.kind)) throw_invalid("Expected a quoted string value for attributes. Got value " + v.raw);
  } else if (!stringish(v.kind)) {
    throw_invalid("Expected a quoted string value for tag (e.g. 'my-value'). Got value " + v.raw);
  }
  r.value = string_value(expect_quoted(v));
  return r;
}

// ---- phase 4: comparator checks --------------------------------------------------------------

bool numeric_op(OpKind k) {
  return k == OpKind::Eq || k == OpKind::NotEq || k == OpKind::Gt || k == OpKind::Ge ||
         k == OpKind::Lt || k == OpKind::Le;
}
bool string_op(OpKind k) {
  return k == OpKind::Eq || k == OpKind::NotEq || k == OpKind::Like || k == OpKind::ILike;
}
bool string_list_op(OpKind k) { return string_op(k) || k == OpKind::In || k == OpKind::NotIn; }

// Registered models and model versions: entity `attribute.` (or none), `tag.`, `tags.`
// exactly as written. Attribute keys are checked before quotes are removed (MLflow's
// _get_model_search_identifier), so `"name"` is not the attribute name.
EntityKind registry_entity(const RawIdent& id) {
  if (!id.has_entity) return EntityKind::Attribute;
  const std::string shown = id.entity_backticked ? "`" + id.entity + "`" : id.entity;
  if (shown == "attribute") return EntityKind::Attribute;
  if (shown == "tag" || shown == "tags") return EntityKind::Tag;
  throw_invalid("Invalid entity type '" + shown + "'. Valid entity types are " + kRegistryEntities);
}

std::string key_as_written(const RawIdent& id) {
  switch (id.key_quote) {
    case KeyQuote::Double: return "\"" + id.key + "\"";
    case KeyQuote::Backtick: return "`" + id.key + "`";
    case KeyQuote::Bare: break;
  }
  return id.key;
}

bool version_numeric_key(std::string_view k) {
  return one_of(k, {"version_number", "creation_timestamp", "last_updated_timestamp"});
}

Resolved resolve_registry(const RawClause& c, Grammar grammar) {
  const bool versions = grammar == Grammar::ModelVersions;
  Resolved r;
  r.entity = registry_entity(c.ident);
  r.raw_key = c.ident.key;
  r.key = c.ident.key;
  const RawValue& v = c.value;
  if (r.entity == EntityKind::Tag) {
    if (!stringish(v.kind)) {
      throw_invalid("Expected a quoted string value for tag (e.g. 'my-value'). Got value " + v.raw);
    }
    r.value = string_value(expect_quoted(v));
    return r;
  }
  const std::string written = key_as_written(c.ident);
  const bool valid = versions ? one_of(written, {"name", "version_number", "run_id", "source_path"})
                              : written == "name";
  if (!valid) {
    throw_invalid("Invalid attribute key '" + written + "' specified. Valid keys are '" +
                  (versions ? kVersionFilterKeys : kModelFilterKeys) + "'");
  }
  r.numeric = versions && version_numeric_key(r.key);
  if (stringish(v.kind)) {
    r.value = string_value(expect_quoted(v));
  } else if (v.kind == ValKind::List) {
    if (r.key != "run_id") {
      throw_invalid("Only the 'run_id' attribute supports comparison with a list of quoted "
                    "string values.");
    }
    r.value = list_value(v);
  } else if (v.kind == ValKind::Number && versions) {
    if (!r.numeric) {
      throw_invalid(std::string("Only the '") + kVersionNumericKeys +
                    "' attributes support comparison with numeric values.");
    }
    r.value = number_value(v, /*integer_attribute=*/true);
  } else {
    throw_invalid("Expected a quoted string value or a list of quoted string values for "
                  "attributes. Got value " + v.raw);
  }
  return r;
}

// The registry stores check comparators with their own wording.
void check_registry_comparator(const RawOp& op, const Resolved& r, Grammar grammar) {
  const OpKind k = op.kind;
  if (r.entity == EntityKind::Tag) {
    if (!string_op(k)) throw_invalid("Invalid comparator for tag: " + op.text);
    return;
  }
  if (r.numeric) {
    if (!numeric_op(k)) throw_invalid("Invalid comparator for attribute " + r.key + ": " + op.text);
    return;
  }
  const bool in_ok = grammar == Grammar::ModelVersions && r.key == "run_id" && k == OpKind::In;
  if (!string_op(k) && !in_ok) throw_invalid("Invalid comparator for attribute: " + op.text);
}

void check_eval_dataset_comparator(const RawOp& op, const Resolved& r) {
  if (r.entity == EntityKind::Tag) {
    if (!string_op(op.kind)) throw_invalid("Invalid comparator for tag: " + op.text);
  } else if (r.numeric) {
    if (!numeric_op(op.kind)) throw_invalid("Invalid comparator for numeric attribute: " + op.text);
  } else if (!string_op(op.kind)) {
    throw_invalid("Invalid comparator for string attribute: " + op.text);
  }
}

Comparator to_comparator(OpKind k) {
  switch (k) {
    case OpKind::Eq: return Comparator::Eq;
    case OpKind::NotEq: return Comparator::NotEq;
    case OpKind::Gt: return Comparator::Gt;
    case OpKind::Ge: return Comparator::Ge;
    case OpKind::Lt: return Comparator::Lt;
    case OpKind::Le: return Comparator::Le;
    case OpKind::Like: return Comparator::Like;
    case OpKind::ILike: return Comparator::ILike;
    case OpKind::In: return Comparator::In;
    case OpKind::NotIn: return Comparator::NotIn;
    case OpKind::Other: break;
  }
  return Comparator::Eq;  // unreachable: Other is rejected before conversion
}

void check_comparator(const RawOp& op, bool ok, const char* allowed) {
  if (!ok) {
    throw_invalid("Invalid comparator '" + op.text + "' not one of '" + allowed + "'");
  }
}

[[noreturn]] void throw_invalid_clause(std::string_view fragment, Grammar grammar) {
  const std::string shown = grammar == Grammar::Runs ? "'" + std::string(fragment) + "'"
                                                     : std::string(fragment);
  throw_invalid("Invalid clause(s) in filter string: " + shown);
}

Clause finish(const RawClause& raw, Resolved r, Grammar grammar, std::string_view text) {
  const OpKind k = raw.op.kind;
  if (grammar == Grammar::RegisteredModels || grammar == Grammar::ModelVersions) {
    check_registry_comparator(raw.op, r, grammar);
  } else if (grammar == Grammar::EvaluationDatasets) {
    check_eval_dataset_comparator(raw.op, r);
  } else if (r.numeric) {
    check_comparator(raw.op, numeric_op(k), kNumericOps);
  } else if (grammar == Grammar::Runs &&
             (r.entity == EntityKind::Dataset || r.entity == EntityKind::Attribute)) {
    check_comparator(raw.op, string_list_op(k), kStringListOps);
  } else {
    check_comparator(raw.op, string_op(k), kStringOps);
  }
  // IN / NOT IN take a list and a list needs IN / NOT IN.
  const bool is_list_op = k == OpKind::In || k == OpKind::NotIn;
  if (is_list_op != (r.value.kind == Value::Kind::List)) {
    throw_invalid_clause(trim(text.substr(raw.begin, raw.end - raw.begin)), grammar);
  }
  Clause out;
  out.entity = r.entity;
  out.key = std::move(r.key);
  out.op = to_comparator(k);
  out.value = std::move(r.value);
  return out;
}

// The limits.hpp bounds on what one filter may cost the database: joins and bind variables.
void check_filter_size(const std::vector<RawClause>& raws, const std::vector<Resolved>& resolved) {
  std::size_t list_values = 0;
  for (const auto& raw : raws) list_values += raw.value.items.size();
  limits::check_list_values(list_values);
  std::size_t entity_clauses = 0;
  for (const auto& r : resolved) {
    if (r.entity == EntityKind::Metric || r.entity == EntityKind::Param || r.entity == EntityKind::Tag ||
        (r.entity == EntityKind::Attribute && r.key == "run_name")) {
      ++entity_clauses;
    }
  }
  if (entity_clauses > limits::kMaxEntityClauses) {
    throw_invalid("Invalid search filter: " + std::to_string(entity_clauses) +
                  " comparisons on metrics, params, tags and the run name; at most " +
                  std::to_string(limits::kMaxEntityClauses) + " are allowed.");
  }
}

}  // namespace

Filter parse_filter(std::string_view filter, Grammar grammar) {
  limits::check_filter_length(filter.size());
  if (trim(filter).empty()) return {};
  // Phases 1 and 2: multiple statements, then structure.
  const std::vector<RawClause> raws = scan_clauses(filter, grammar == Grammar::Runs);

  // Phase 3: identifiers and values.
  std::vector<Resolved> resolved;
  resolved.reserve(raws.size());
  for (const auto& raw : raws) {
    switch (grammar) {
      case Grammar::Runs: resolved.push_back(resolve_runs(raw)); break;
      case Grammar::Experiments: resolved.push_back(resolve_experiments(raw)); break;
      case Grammar::RegisteredModels:
      case Grammar::ModelVersions: resolved.push_back(resolve_registry(raw, grammar)); break;
      case Grammar::EvaluationDatasets: resolved.push_back(resolve_eval_datasets(raw)); break;
    }
  }

  check_filter_size(raws, resolved);

  // Phase 4: comparators.
  Filter out;
  out.reserve(raws.size());
  for (size_t i = 0; i < raws.size(); ++i) {
    out.push_back(finish(raws[i], std::move(resolved[i]), grammar, filter));
  }
  return out;
}

OrderBy parse_order_by(std::string_view clause, Grammar grammar) {
  const auto [id, ascending] = scan_order_by(clause);
  OrderBy out;
  out.ascending = ascending;
  out.key = id.key;
  if (grammar == Grammar::Runs) {
    out.entity = runs_entity(id);
    if (out.entity == EntityKind::Attribute) {
      if (!runs_order_key(id.key)) {
        throw_invalid("Invalid attribute key '" + id.key + "' specified. Valid keys are '" +
                      kRunsOrderKeys + "'");
      }
      out.key = canonical_attribute(id.key);
    } else if (out.entity == EntityKind::Dataset) {
      if (!dataset_key(id.key)) {
        throw_invalid("Invalid dataset key '" + id.key + "' specified. Valid keys are '" +
                      kDatasetKeys + "'");
      }
      throw_invalid("Invalid identifier type 'dataset'");
    }
  } else if (grammar == Grammar::RegisteredModels) {
    // MLflow's SQL store takes the whole identifier (quotes removed) as the key; no prefixes.
    const std::string token = id.has_entity ? id.entity + "." + id.key : id.key;
    out.entity = EntityKind::Attribute;
    if (token == "name") {
      out.key = "name";
    } else if (token == "timestamp" || token == "last_updated_timestamp") {
      out.key = "last_updated_timestamp";
    } else {
      throw_invalid("Invalid order by key '" + token + "' specified. Valid keys are '" +
                    kModelOrderKeysRecommended + "'");
    }
  } else if (grammar == Grammar::ModelVersions) {
    out.entity = experiments_entity(id);
    const bool valid =
        one_of(id.key, {"name", "version_number", "creation_timestamp", "last_updated_timestamp"});
    if (out.entity == EntityKind::Attribute && !valid) {
      throw_invalid("Invalid attribute key '" + id.key + "' specified. Valid keys are '" +
                    kVersionOrderKeys + "'");
    }
    if (!valid) {  // tags.<key>: the store only knows attribute keys
      throw_invalid("Invalid order by key '" + id.key + "' specified. Valid keys are " +
                    kVersionOrderKeys);
    }
    out.entity = EntityKind::Attribute;
  } else if (grammar == Grammar::EvaluationDatasets) {
    out.entity = eval_dataset_entity(id);
    if (out.entity == EntityKind::Attribute && !one_of(id.key, {"name", "created_time", "last_update_time"})) {
      throw_invalid("Invalid attribute key '" + id.key + "' specified. Valid keys are: " + kEvalDatasetOrderKeys);
    }
    if (out.entity == EntityKind::Tag) throw_invalid("Invalid order_by entity: tag");
  } else {
    out.entity = experiments_entity(id);
    if (out.entity == EntityKind::Tag) throw_invalid("Invalid order_by entity: tag");
    if (!one_of(id.key, {"name", "experiment_id", "creation_time", "last_update_time"})) {
      throw_invalid("Invalid attribute key '" + id.key + "' specified. Valid keys are '" +
                    kExperimentOrderKeys + "'");
    }
  }
  return out;
}

}  // namespace sextant::search
