// SearchTraces filter / order_by parser (see trace_filter.hpp). Follows
// mlflow/utils/search_utils.py SearchTraceUtils and the comparator checks of
// mlflow/store/tracking/sqlalchemy_store.py (_get_filter_clauses_for_search_traces,
// _get_orderby_clauses_for_search_traces), in their order.
#include "search/trace_filter.hpp"

#include <initializer_list>
#include <set>
#include <utility>

#include "core/error.hpp"
#include "search/filter_scanner.hpp"
#include "search/limits.hpp"
#include "util/strings.hpp"

namespace sextant::search {
namespace {

using core::throw_invalid;
using namespace scanner;

constexpr const char* kEntities =
    "{'attribute', 'attributes', 'trace', 'tag', 'tags', 'metadata', 'request_metadata', 'span', 'feedback', "
    "'expectation'}";
constexpr const char* kFilterKeys =
    "{'request_id', 'client_request_id', 'status', 'timestamp', 'timestamp_ms', 'execution_time', "
    "'execution_time_ms', 'end_time', 'end_time_ms', 'name', 'run_id', 'text'}";
constexpr const char* kOrderKeys =
    "{'experiment_id', 'request_id', 'status', 'timestamp', 'timestamp_ms', 'execution_time', "
    "'execution_time_ms', 'end_time', 'end_time_ms', 'name', 'run_id'}";
constexpr const char* kNumericKeys =
    "{'timestamp', 'timestamp_ms', 'execution_time', 'execution_time_ms', 'end_time', 'end_time_ms'}";
constexpr const char* kInKeys = "{'name', 'status', 'request_id', 'run_id', 'client_request_id'}";
constexpr const char* kTagOps = "{'=', '!=', 'LIKE', 'ILIKE', 'RLIKE'}";
constexpr const char* kStringOps = "{'=', '!=', 'LIKE', 'ILIKE', 'RLIKE', 'IN', 'NOT IN'}";
constexpr const char* kContentOps = "{'LIKE', 'ILIKE'}";

bool numeric_key(std::string_view k) {
  return one_of(k, {"timestamp", "timestamp_ms", "execution_time", "execution_time_ms", "end_time", "end_time_ms"});
}

// The entity before mapping (MLflow's _valid_entity_type, aliases resolved).
enum class Entity { Attribute, Tag, Metadata, Span, Feedback, Expectation };

struct Identifier {
  Entity entity = Entity::Attribute;
  std::string key;
};

// MLflow's _get_identifier: "<entity>.<key>" split at the first '.', backticks around the
// entity and quotes / backticks around the key removed; the attribute key must be valid.
Identifier identifier(const RawIdent& id, const char* valid_keys_text, bool order_by) {
  std::string entity;
  std::string key = id.key;
  if (id.has_entity) {
    entity = id.entity;
  } else if (id.key_quote != KeyQuote::Bare && id.key.find('.') != std::string::npos) {
    // MLflow splits the quoted text itself: "a.b" is entity '"a'.
    const char quote = id.key_quote == KeyQuote::Double ? '"' : '`';
    entity = quote + id.key.substr(0, id.key.find('.'));
  } else {
    entity = "attribute";
  }
  Identifier out;
  if (one_of(entity, {"attribute", "attributes", "trace"})) {
    out.entity = Entity::Attribute;
  } else if (one_of(entity, {"tag", "tags"})) {
    out.entity = Entity::Tag;
  } else if (one_of(entity, {"metadata", "request_metadata"})) {
    out.entity = Entity::Metadata;
  } else if (entity == "span") {
    out.entity = Entity::Span;
  } else if (entity == "feedback") {
    out.entity = Entity::Feedback;
  } else if (entity == "expectation") {
    out.entity = Entity::Expectation;
  } else {
    throw_invalid("Invalid entity type '" + entity + "'. Valid values are " + kEntities);
  }
  out.key = key;
  if (out.entity == Entity::Attribute) {
    const bool valid = order_by ? one_of(key, {"experiment_id", "request_id", "status", "timestamp", "timestamp_ms",
                                              "execution_time", "execution_time_ms", "end_time", "end_time_ms",
                                              "name", "run_id"})
                                : one_of(key, {"request_id", "client_request_id", "status", "timestamp",
                                              "timestamp_ms", "execution_time", "execution_time_ms", "end_time",
                                              "end_time_ms", "name", "run_id", "text"});
    if (!valid) {
      throw_invalid("Invalid attribute key '" + key + "' specified. Valid keys are '" + valid_keys_text + "'");
    }
  }
  return out;
}

const char* entity_word(Entity e) {
  switch (e) {
    case Entity::Tag: return "tag";
    case Entity::Metadata: return "request_metadata";
    case Entity::Span: return "span";
    case Entity::Feedback: return "feedback";
    case Entity::Expectation: return "expectation";
    case Entity::Attribute: break;
  }
  return "attribute";
}

// MLflow's SearchTraceUtils._get_value.
Value value_of(const Identifier& id, const RawValue& v) {
  if (id.entity == Entity::Attribute) {
    if (stringish(v.kind)) return string_value(expect_quoted(v));
    if (v.kind == ValKind::List) {
      if (!one_of(id.key, {"name", "status", "request_id", "run_id", "client_request_id"})) {
        throw_invalid(std::string("Only attributes in ") + kInKeys +
                      " supports comparison with a list of quoted string values.");
      }
      check_list(v);
      Value out;
      out.kind = Value::Kind::List;
      out.list = v.items;
      return out;
    }
    if (v.kind == ValKind::Number) {
      if (!numeric_key(id.key)) {
        throw_invalid(std::string("Only the '") + kNumericKeys + "' attributes support comparison with numeric values.");
      }
      return number_value(v, /*integer_attribute=*/true);
    }
    throw_invalid("Expected a quoted string value or a list of quoted string values for attributes. Got value " + v.raw);
  }
  const bool list_ok = id.entity == Entity::Tag || id.entity == Entity::Span;
  if (stringish(v.kind)) return string_value(expect_quoted(v));
  if (list_ok && v.kind == ValKind::List) {
    check_list(v);
    Value out;
    out.kind = Value::Kind::List;
    out.list = v.items;
    return out;
  }
  throw_invalid(std::string("Expected a quoted string value for ") + entity_word(id.entity) +
                " (e.g. 'my-value'). Got value " + v.raw);
}

TraceComparator comparator_of(const RawOp& op) {
  switch (op.kind) {
    case OpKind::Eq: return TraceComparator::Eq;
    case OpKind::NotEq: return TraceComparator::NotEq;
    case OpKind::Gt: return TraceComparator::Gt;
    case OpKind::Ge: return TraceComparator::Ge;
    case OpKind::Lt: return TraceComparator::Lt;
    case OpKind::Le: return TraceComparator::Le;
    case OpKind::Like: return TraceComparator::Like;
    case OpKind::ILike: return TraceComparator::ILike;
    case OpKind::In: return TraceComparator::In;
    case OpKind::NotIn: return TraceComparator::NotIn;
    case OpKind::Other: break;
  }
  return TraceComparator::RLike;  // only asked for when op.text == "RLIKE"
}

bool is_rlike(const RawOp& op) { return op.kind == OpKind::Other && op.text == "RLIKE"; }
bool numeric_op(const RawOp& op) {
  return one_of(op.text, {"=", "!=", ">", ">=", "<", "<="}) && op.kind != OpKind::Other;
}
bool tag_op(const RawOp& op) {
  return op.kind == OpKind::Eq || op.kind == OpKind::NotEq || op.kind == OpKind::Like || op.kind == OpKind::ILike ||
         is_rlike(op);
}
bool string_op(const RawOp& op) { return tag_op(op) || op.kind == OpKind::In || op.kind == OpKind::NotIn; }

// MLflow's is_span, at parse time: span keys and their comparators.
void check_span(const std::string& key, const RawOp& op) {
  if (key.rfind("attributes.", 0) == 0) {
    if (key.size() == std::string_view("attributes.").size()) {
      throw_invalid("Span attribute name cannot be empty after 'attributes.'");
    }
    if (!string_op(op)) {
      throw_invalid("span." + key + " comparator '" + op.text + "' not one of '" + kStringOps + "'");
    }
  } else if (one_of(key, {"name", "type", "status"})) {
    if (!string_op(op)) {
      throw_invalid("span." + key + " comparator '" + op.text + "' not one of '" + kStringOps + "'");
    }
  } else if (key == "content") {
    if (op.kind != OpKind::Like && op.kind != OpKind::ILike) {
      throw_invalid("span." + key + " comparator '" + op.text + "' not one of '" + kContentOps + "'");
    }
  } else {
    throw_invalid("Invalid span attribute '" + key + "'. Supported attributes: name, status, type, "
                  "attributes.<attribute_name>.");
  }
}

// MLflow's _replace_key_to_tag_or_metadata (not for span keys).
void map_key(Identifier& id) {
  if (id.entity == Entity::Span) return;
  const std::string lower = ascii_lower(id.key);
  if (lower == "name") {
    id.entity = Entity::Tag;
    id.key = "mlflow.traceName";
  } else if (lower == "run_id") {
    id.entity = Entity::Metadata;
    id.key = "mlflow.sourceRun";
  } else if (lower == "text") {
    id.entity = Entity::Span;
    id.key = "content";
  } else if (lower == "timestamp") {
    id.key = "timestamp_ms";
  } else if (lower == "execution_time") {
    id.key = "execution_time_ms";
  } else if (lower == "end_time") {
    id.key = "end_time_ms";
  }
}

// A numeric attribute compared with a quoted number ('5'): MLflow leaves the conversion to the
// database, whose answer for text that is no number differs per backend; here such text is a 400.
Value numeric_text(const std::string& key, const std::string& text) {
  RawValue raw;
  raw.raw = text;
  const Scanner sc(text);
  if (text.empty() || sc.number_end(0) != text.size()) {
    throw_invalid("Expected numeric value type for numeric attribute: " + key + ". Found " + util::python_repr(text));
  }
  raw.number = to_double(text);
  return number_value(raw, /*integer_attribute=*/true);
}

struct Parsed {
  Identifier id;
  Value value;
};

// The SQL store's comparator checks, after mapping; returns the clause.
TraceClause finish(const RawClause& raw, Parsed p, std::string_view text) {
  const RawOp& op = raw.op;
  TraceClause out;
  out.key = p.id.key;
  switch (p.id.entity) {
    case Entity::Attribute:
      if (numeric_key(p.id.key)) {
        // MLflow's message names the string comparators here (and lacks the closing quote).
        if (!numeric_op(op)) throw_invalid("Invalid comparator '" + op.text + "' not one of '" + kStringOps);
        if (p.value.kind == Value::Kind::String) p.value = numeric_text(p.id.key, p.value.text);
      } else if (!string_op(op)) {
        throw_invalid("Invalid comparator '" + op.text + "' not one of '" + kStringOps + "'");
      }
      out.target = TraceTarget::Attribute;
      break;
    case Entity::Tag:
      if (!tag_op(op)) throw_invalid("Invalid comparator '" + op.text + "' not one of '" + kTagOps);
      out.target = TraceTarget::Tag;
      break;
    case Entity::Metadata:
      if (!tag_op(op)) throw_invalid("Invalid comparator '" + op.text + "' not one of '" + kTagOps + "'");
      out.target = p.id.key == "mlflow.sourceRun" && op.kind == OpKind::Eq ? TraceTarget::RunLink
                                                                          : TraceTarget::Metadata;
      break;
    case Entity::Span:
      check_span(p.id.key, op);  // mapped keys (text -> content) are checked here, as in MLflow's store
      if (p.id.key.rfind("attributes.", 0) == 0) {
        out.target = TraceTarget::SpanAttribute;
        out.key = p.id.key.substr(std::string_view("attributes.").size());
      } else {
        out.target = p.id.key == "content" ? TraceTarget::SpanContent : TraceTarget::SpanColumn;
      }
      break;
    case Entity::Feedback:
    case Entity::Expectation:
      if (p.id.key.empty()) throw_invalid("Assessment field name cannot be empty");
      if (!string_op(op)) {
        throw_invalid("assessment." + p.id.key + " comparator '" + op.text + "' not one of '" + kStringOps + "'");
      }
      out.target = p.id.entity == Entity::Feedback ? TraceTarget::Feedback : TraceTarget::Expectation;
      break;
  }
  out.op = comparator_of(op);
  // IN / NOT IN take a list and a list needs IN / NOT IN (MLflow would hand the mismatch to SQL).
  const bool list_op = out.op == TraceComparator::In || out.op == TraceComparator::NotIn;
  if (list_op != (p.value.kind == Value::Kind::List)) {
    throw_invalid("Invalid clause(s) in filter string: '" +
                  std::string(trim(text.substr(raw.begin, raw.end - raw.begin))) + "'");
  }
  out.value = std::move(p.value);
  return out;
}

void check_size(const TraceFilter& filter) {
  std::size_t list_values = 0;
  std::size_t joined = 0;
  for (const auto& c : filter) {
    list_values += c.value.list.size();
    if (c.target != TraceTarget::Attribute) ++joined;
  }
  limits::check_list_values(list_values);
  if (joined > limits::kMaxEntityClauses) {
    throw_invalid("Invalid search filter: " + std::to_string(joined) +
                  " comparisons on tags, metadata, spans, assessments and runs; at most " +
                  std::to_string(limits::kMaxEntityClauses) + " are allowed.");
  }
}

}  // namespace

TraceFilter parse_trace_filter(std::string_view filter) {
  limits::check_filter_length(filter.size());
  if (trim(filter).empty()) return {};
  const std::vector<RawClause> raws = scan_clauses(filter, /*quote_fragment=*/true);
  std::vector<Parsed> parsed;
  parsed.reserve(raws.size());
  for (const auto& raw : raws) {
    Parsed p;
    p.id = identifier(raw.ident, kFilterKeys, /*order_by=*/false);
    p.value = value_of(p.id, raw.value);
    if (p.id.entity == Entity::Span) check_span(p.id.key, raw.op);
    parsed.push_back(std::move(p));
  }
  for (auto& p : parsed) map_key(p.id);
  TraceFilter out;
  out.reserve(raws.size());
  for (std::size_t i = 0; i < raws.size(); ++i) out.push_back(finish(raws[i], std::move(parsed[i]), filter));
  check_size(out);
  return out;
}

TraceOrderBy parse_trace_order_by(std::string_view clause) {
  const auto [raw, ascending] = scan_order_by(clause);
  Identifier id = identifier(raw, kOrderKeys, /*order_by=*/true);
  map_key(id);
  TraceOrderBy out;
  out.ascending = ascending;
  out.key = id.key;
  switch (id.entity) {
    case Entity::Attribute: out.kind = TraceOrderBy::Kind::Attribute; break;
    case Entity::Tag: out.kind = TraceOrderBy::Kind::Tag; break;
    case Entity::Metadata: out.kind = TraceOrderBy::Kind::Metadata; break;
    case Entity::Span:
    case Entity::Feedback:
    case Entity::Expectation: throw_invalid(std::string("Invalid identifier type '") + entity_word(id.entity) + "'");
  }
  return out;
}

std::vector<TraceOrderBy> parse_trace_order_by_list(const std::vector<std::string>& clauses) {
  limits::check_order_by_count(clauses.size());
  std::vector<TraceOrderBy> out;
  std::set<std::pair<TraceOrderBy::Kind, std::string>> seen;
  for (const auto& clause : clauses) {
    TraceOrderBy o = parse_trace_order_by(clause);
    if (!seen.emplace(o.kind, o.key).second) {
      std::string list = "[";
      for (std::size_t i = 0; i < clauses.size(); ++i) list += (i ? ", " : "") + util::python_repr(clauses[i]);
      throw_invalid("`order_by` contains duplicate fields: " + list + "]");
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace sextant::search
