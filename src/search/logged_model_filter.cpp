// SearchLoggedModels filter / order_by parsing (mlflow-api.md §3.6). Hand-written scanner.
// Phases, in MLflow's order of errors: a ';' with more text after it, then the structure of the
// whole filter (comparisons joined by AND), then per comparison: entity, operator, value.
#include "search/logged_model_filter.hpp"

#include <array>
#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "search/limits.hpp"
#include "util/strings.hpp"

namespace sextant::search {
namespace {

using core::throw_invalid;

// The columns of logged_models, the attributes a filter may name.
constexpr std::array<std::string_view, 11> kColumns = {
    "model_id",         "experiment_id", "name",          "artifact_location", "creation_timestamp_ms",
    "last_updated_timestamp_ms", "status", "lifecycle_stage", "model_type", "source_run_id", "status_message"};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_op_char(char c) { return c == '<' || c == '>' || c == '=' || c == '!'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

enum class Tok { Word, String, DQuoted, Number, Op, Paren };

struct Token {
  Tok kind;
  std::string text;  // Word/Number/Op: as written; String/DQuoted: content; Paren: inside text
};

[[noreturn]] void invalid_structure(std::string_view filter) {
  throw_invalid("Invalid filter string: " + util::python_repr(filter) +
                ". Expected a list of comparisons separated by 'AND' (e.g. 'metrics.loss > 0.1 AND params.lr = "
                "0.01').");
}

// Index just past the quote that closes the one at s[i] ('' / "" inside continue the literal).
std::size_t skip_quoted(std::string_view s, std::size_t i, std::string_view filter) {
  char q = s[i];
  for (std::size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] != q) continue;
    if (j + 1 < s.size() && s[j + 1] == q) {
      ++j;
      continue;
    }
    return j + 1;
  }
  invalid_structure(filter);
}

bool parse_number(std::string_view text, double& out) {
  if (text.empty()) return false;
  std::size_t i = 0;
  if (text[i] == '-' || text[i] == '+') ++i;
  bool digits = false;
  while (i < text.size() && is_digit(text[i])) ++i, digits = true;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) ++i, digits = true;
  }
  if (!digits) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    bool exp = false;
    while (i < text.size() && is_digit(text[i])) ++i, exp = true;
    if (!exp) return false;
  }
  if (i != text.size()) return false;
  std::string copy(text);
  out = std::strtod(copy.c_str(), nullptr);  // the "C" locale; saturates like Python's float()
  return true;
}

std::vector<Token> tokenize(std::string_view s, std::string_view filter) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '\'' || c == '"') {
      std::size_t end = skip_quoted(s, i, filter);
      out.push_back({c == '\'' ? Tok::String : Tok::DQuoted, std::string(s.substr(i + 1, end - i - 2))});
      i = end;
    } else if (c == '(') {
      int depth = 0;
      std::size_t j = i;
      for (; j < s.size(); ++j) {
        if (s[j] == '\'' || s[j] == '"') {
          j = skip_quoted(s, j, filter) - 1;
        } else if (s[j] == '(') {
          ++depth;
        } else if (s[j] == ')' && --depth == 0) {
          break;
        }
      }
      if (j >= s.size()) invalid_structure(filter);
      out.push_back({Tok::Paren, std::string(s.substr(i + 1, j - i - 1))});
      i = j + 1;
    } else if (is_op_char(c)) {
      std::size_t j = i;
      while (j < s.size() && is_op_char(s[j])) ++j;
      out.push_back({Tok::Op, std::string(s.substr(i, j - i))});
      i = j;
    } else if ((c == '-' || c == '+' || c == '.' || is_digit(c)) &&
               (is_digit(c) || (i + 1 < s.size() && (is_digit(s[i + 1]) || s[i + 1] == '.')))) {
      std::size_t j = i + 1;
      while (j < s.size() && (is_word_char(s[j]) || s[j] == '.' ||
                              ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E')))) {
        ++j;
      }
      std::string text(s.substr(i, j - i));
      double ignored = 0;
      out.push_back({parse_number(text, ignored) ? Tok::Number : Tok::Word, text});
      i = j;
    } else if (is_word_char(c) || c == '`') {
      // An identifier: word characters and dots, with `quoted` parts (and "quoted" ones after a dot).
      std::size_t j = i;
      while (j < s.size()) {
        if (is_word_char(s[j]) || s[j] == '.') {
          ++j;
        } else if (s[j] == '`' || (s[j] == '"' && j > i && s[j - 1] == '.')) {
          j = skip_quoted(s, j, filter);
        } else {
          break;
        }
      }
      out.push_back({Tok::Word, std::string(s.substr(i, j - i))});
      i = j;
    } else {
      invalid_structure(filter);  // ',', ')', ';' or another stray character
    }
  }
  return out;
}

bool is_keyword(const Token& t, std::string_view kw) { return t.kind == Tok::Word && upper(t.text) == kw; }

bool is_any_keyword(const Token& t) {
  for (std::string_view kw : {"AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "IS", "NULL", "BETWEEN"})
    if (is_keyword(t, kw)) return true;
  return false;
}

// A comparison as written, before its parts are interpreted.
struct RawComparison {
  std::string identifier;
  std::string op;  // "=", "LIKE", "NOT IN", ...
  Token value;
};

std::vector<RawComparison> split_comparisons(const std::vector<Token>& tokens, std::string_view filter) {
  std::vector<RawComparison> out;
  std::size_t i = 0;
  while (true) {
    if (i >= tokens.size() || tokens[i].kind != Tok::Word || is_any_keyword(tokens[i])) invalid_structure(filter);
    RawComparison c;
    c.identifier = tokens[i++].text;
    if (i >= tokens.size()) invalid_structure(filter);
    const Token& op = tokens[i++];
    if (op.kind == Tok::Op) {
      c.op = op.text;
    } else if (is_keyword(op, "LIKE") || is_keyword(op, "ILIKE") || is_keyword(op, "IN")) {
      c.op = upper(op.text);
    } else if (is_keyword(op, "NOT") && i < tokens.size() && is_keyword(tokens[i], "IN")) {
      c.op = "NOT IN";
      ++i;
    } else {
      invalid_structure(filter);
    }
    if (i >= tokens.size()) invalid_structure(filter);
    c.value = tokens[i++];
    if (c.value.kind == Tok::Op || (c.value.kind == Tok::Word && is_any_keyword(c.value))) invalid_structure(filter);
    if ((c.op == "IN" || c.op == "NOT IN") != (c.value.kind == Tok::Paren)) invalid_structure(filter);
    out.push_back(std::move(c));
    if (i == tokens.size()) return out;
    if (!is_keyword(tokens[i], "AND")) invalid_structure(filter);
    ++i;
  }
}

// Removes every leading/trailing backtick (Python's str.strip("`")), then one pair of double quotes.
std::string unquote_key(std::string_view key) {
  while (!key.empty() && key.front() == '`') key.remove_prefix(1);
  while (!key.empty() && key.back() == '`') key.remove_suffix(1);
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
  return std::string(key);
}

std::string valid_keys_text() {
  std::string out = "[";
  for (std::size_t i = 0; i < kColumns.size(); ++i) out += (i ? ", '" : "'") + std::string(kColumns[i]) + "'";
  return out + "]";
}

std::string attribute_column_or_throw(const std::string& key) {
  auto column = logged_model_attribute_column(key);
  if (!column) {
    throw_invalid("Invalid attribute key " + util::python_repr(key) + " specified. Valid keys are " +
                  valid_keys_text() + ".");
  }
  return *column;
}

std::vector<std::string> parse_list(const std::string& inside, const std::string& entity) {
  std::vector<std::string> out;
  std::string_view s = inside;
  std::size_t i = 0;
  auto fail = [&]() {
    throw_invalid("Invalid value (" + inside + ") for " + entity +
                  ": expected a parenthesised list of quoted strings, e.g. ('a', 'b').");
  };
  auto skip_ws = [&] {
    while (i < s.size() && is_space(s[i])) ++i;
  };
  skip_ws();
  while (i < s.size()) {
    if (s[i] == '\'' || s[i] == '"') {
      char q = s[i];
      std::size_t end = i + 1;
      while (end < s.size() && s[end] != q) ++end;
      if (end >= s.size()) fail();
      out.emplace_back(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      std::size_t end = i;
      while (end < s.size() && s[end] != ',' && !is_space(s[end])) ++end;
      double ignored = 0;
      if (!parse_number(s.substr(i, end - i), ignored)) fail();
      out.emplace_back(s.substr(i, end - i));
      i = end;
    }
    skip_ws();
    if (i < s.size()) {
      if (s[i] != ',') fail();
      ++i;
      skip_ws();
    }
  }
  return out;
}

LoggedModelOp op_from_text(const std::string& op, bool& known) {
  known = true;
  if (op == "=") return LoggedModelOp::Eq;
  if (op == "!=") return LoggedModelOp::NotEq;
  if (op == ">") return LoggedModelOp::Gt;
  if (op == ">=") return LoggedModelOp::Ge;
  if (op == "<") return LoggedModelOp::Lt;
  if (op == "<=") return LoggedModelOp::Le;
  if (op == "LIKE") return LoggedModelOp::Like;
  if (op == "ILIKE") return LoggedModelOp::ILike;
  if (op == "IN") return LoggedModelOp::In;
  if (op == "NOT IN") return LoggedModelOp::NotIn;
  known = false;
  return LoggedModelOp::Eq;
}

LoggedModelComparison interpret(const RawComparison& raw) {
  LoggedModelComparison c;
  const std::string& ident = raw.identifier;
  std::size_t dot = ident.find('.');
  bool has_entity = dot != std::string::npos && dot > 0 && dot + 1 < ident.size();
  for (std::size_t k = 0; has_entity && k < dot; ++k)
    if (ident[k] < 'a' || ident[k] > 'z') has_entity = false;
  std::string shown;  // how MLflow names the entity in messages: "metrics.x", "attributes.name"
  if (has_entity) {
    std::string type = ident.substr(0, dot);
    std::string key = unquote_key(std::string_view(ident).substr(dot + 1));
    if (type == "attributes") {
      c.entity = LoggedModelEntity::Attribute;
      c.key = attribute_column_or_throw(key);
    } else if (type == "metrics") {
      c.entity = LoggedModelEntity::Metric;
      c.key = key;
    } else if (type == "params") {
      c.entity = LoggedModelEntity::Param;
      c.key = key;
    } else if (type == "tags") {
      c.entity = LoggedModelEntity::Tag;
      c.key = key;
    } else {
      throw_invalid("Invalid entity type: " + util::python_repr(type) +
                    ". Expected one of ['attributes', 'metrics', 'params', 'tags'].");
    }
    shown = type + "." + key;
  } else {
    c.entity = LoggedModelEntity::Attribute;
    c.key = attribute_column_or_throw(unquote_key(ident));
    shown = "attributes." + c.key;
  }
  const bool numeric = c.entity == LoggedModelEntity::Metric ||
                       (c.entity == LoggedModelEntity::Attribute && is_numeric_logged_model_attribute(c.key));
  bool known = false;
  c.op = op_from_text(raw.op, known);
  // Numeric entities: < <= > >= = !=; the others: = != LIKE ILIKE IN NOT IN.
  const bool textual_op = c.op == LoggedModelOp::Like || c.op == LoggedModelOp::ILike || c.op == LoggedModelOp::In ||
                          c.op == LoggedModelOp::NotIn;
  const bool ordering_op = c.op == LoggedModelOp::Gt || c.op == LoggedModelOp::Ge || c.op == LoggedModelOp::Lt ||
                           c.op == LoggedModelOp::Le;
  if (!known || (numeric && textual_op) || (!numeric && ordering_op)) {
    // MLflow lists the string operators whatever the entity; we list the ones that apply.
    const char* expected = numeric ? "('<', '<=', '>', '>=', '=', '!=')" : "('=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN')";
    throw_invalid("Invalid comparison operator for " + shown + ": " + util::python_repr(raw.op) +
                  ". Expected one of " + expected + ".");
  }
  const Token& v = raw.value;
  if (numeric) {
    c.kind = LoggedModelComparison::Kind::Number;
    bool ok = v.kind == Tok::Number && parse_number(v.text, c.number);
    if (!ok && v.kind == Tok::Word) {  // Python's float() also takes inf / infinity / nan
      auto w = upper(v.text);
      if (w == "INF" || w == "INFINITY" || w == "NAN") {
        c.number = std::strtod(w.c_str(), nullptr);
        ok = true;
      }
    }
    if (ok && v.kind == Tok::Number &&
        (!std::isfinite(c.number) || (c.entity == LoggedModelEntity::Attribute && std::fabs(c.number) >= 9.2e18))) {
      throw_invalid("Invalid value " + util::python_repr(v.text.substr(0, 100)) + " for " + shown +
                    ": number out of range.");
    }
    if (!ok) {
      std::string as_written = v.kind == Tok::String    ? "'" + v.text + "'"
                               : v.kind == Tok::DQuoted ? "\"" + v.text + "\""
                                                        : v.text;
      throw_invalid("Invalid value " + util::python_repr(as_written) + " for " + shown + ": expected a number.");
    }
  } else if (v.kind == Tok::Paren) {
    c.kind = LoggedModelComparison::Kind::List;
    c.list = parse_list(v.text, shown);
  } else {
    c.kind = LoggedModelComparison::Kind::String;
    c.text = v.text;
  }
  return c;
}

}  // namespace

std::optional<std::string> logged_model_attribute_column(std::string_view name) {
  if (name == "creation_time" || name == "creation_timestamp") return "creation_timestamp_ms";
  if (name == "last_updated_timestamp") return "last_updated_timestamp_ms";
  for (auto c : kColumns)
    if (c == name) return std::string(c);
  return std::nullopt;
}

bool is_numeric_logged_model_attribute(std::string_view column) {
  return column == "creation_timestamp_ms" || column == "last_updated_timestamp_ms";
}

LoggedModelFilter parse_logged_model_filter(std::string_view filter) {
  LoggedModelFilter out;
  if (util::trim(filter).empty()) return out;
  limits::check_filter_length(filter.size());
  // A ';' outside quotes ends the statement; more text after it is a second statement.
  for (std::size_t i = 0; i < filter.size(); ++i) {
    if (filter[i] == '\'' || filter[i] == '"' || filter[i] == '`') {
      char q = filter[i];
      for (++i; i < filter.size() && filter[i] != q; ++i) {
      }
      continue;
    }
    if (filter[i] == ';' && !util::trim(filter.substr(i + 1)).empty()) {
      throw_invalid("Invalid filter string: " + util::python_repr(filter) + ". Expected a single SQL expression.");
    }
  }
  auto tokens = tokenize(filter, filter);
  auto comparisons = split_comparisons(tokens, filter);
  limits::check_filter_clauses(comparisons.size());
  std::size_t list_values = 0;
  for (const auto& raw : comparisons) {
    out.push_back(interpret(raw));
    list_values += out.back().list.size();
  }
  limits::check_list_values(list_values);
  return out;
}

LoggedModelOrderBy parse_logged_model_order_by(std::string_view field_name, bool ascending,
                                               std::optional<std::string> dataset_name,
                                               std::optional<std::string> dataset_digest) {
  LoggedModelOrderBy o;
  o.ascending = ascending;
  auto dot = field_name.find('.');
  if (dot == std::string_view::npos) {
    auto column = logged_model_attribute_column(field_name);
    if (!column) throw_invalid("Invalid order by field name: " + std::string(field_name));
    o.kind = LoggedModelOrderBy::Kind::Attribute;
    o.key = *column;
    return o;
  }
  if (field_name.substr(0, dot) != "metrics") {
    throw_invalid("Invalid order by field name: " + std::string(field_name) + ". Only metrics are supported.");
  }
  o.kind = LoggedModelOrderBy::Kind::Metric;
  o.key = std::string(field_name.substr(dot + 1));
  o.dataset_name = std::move(dataset_name);
  o.dataset_digest = std::move(dataset_digest);
  return o;
}

}  // namespace sextant::search
