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
#include "search/limits.hpp"

namespace sextant::search {
namespace {

using core::throw_invalid;

constexpr size_t kNone = static_cast<size_t>(-1);

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Word characters: ASCII letters, digits, '_' and any non-ASCII byte (UTF-8 letters; sqlparse
// matches names with \w in Unicode mode).
bool is_word_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_op_char(char c) { return c == '<' || c == '>' || c == '=' || c == '~' || c == '!'; }

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}
std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}


// ---- Python str.islower() -------------------------------------------------------------------
// True iff the string has at least one cased character and no uppercase/titlecase one.
// Exact for ASCII; covers Latin-1, Latin Extended-A, Greek, Cyrillic and fullwidth Latin for
// non-ASCII text (other scripts are treated as uncased - an approximation of Unicode tables).

enum class Case { None, Lower, Upper };

Case classify(uint32_t cp) {
  if (cp >= 'a' && cp <= 'z') return Case::Lower;
  if (cp >= 'A' && cp <= 'Z') return Case::Upper;
  if (cp < 0x80) return Case::None;
  if (cp == 0xAA || cp == 0xB5 || cp == 0xBA) return Case::Lower;
  if (cp >= 0xC0 && cp <= 0xDE) return cp == 0xD7 ? Case::None : Case::Upper;
  if (cp >= 0xDF && cp <= 0xFF) return cp == 0xF7 ? Case::None : Case::Lower;
  if (cp >= 0x100 && cp <= 0x17F) {  // Latin Extended-A: mostly upper/lower pairs
    if (cp == 0x138 || cp == 0x149 || cp == 0x17F) return Case::Lower;
    if (cp == 0x178) return Case::Upper;
    const bool odd = (cp & 1) != 0;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) {
      return odd ? Case::Upper : Case::Lower;
    }
    return odd ? Case::Lower : Case::Upper;
  }
  if (cp == 0x386 || (cp >= 0x388 && cp <= 0x38F && cp != 0x38B && cp != 0x38D) ||
      (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2)) {
    return Case::Upper;
  }
  if (cp == 0x390 || (cp >= 0x3AC && cp <= 0x3CE)) return Case::Lower;
  if (cp >= 0x400 && cp <= 0x42F) return Case::Upper;
  if (cp >= 0x430 && cp <= 0x45F) return Case::Lower;
  if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
      (cp >= 0x4D0 && cp <= 0x52F)) {
    return (cp & 1) ? Case::Lower : Case::Upper;
  }
  if (cp == 0x4C0) return Case::Upper;
  if (cp >= 0x4C1 && cp <= 0x4CE) return (cp & 1) ? Case::Upper : Case::Lower;
  if (cp == 0x4CF) return Case::Lower;
  if (cp >= 0xFF21 && cp <= 0xFF3A) return Case::Upper;
  if (cp >= 0xFF41 && cp <= 0xFF5A) return Case::Lower;
  return Case::None;
}

// Decodes one UTF-8 code point at s[i]; advances i. Invalid sequences yield U+FFFD (uncased)
// and consume one byte.
uint32_t next_code_point(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  uint32_t cp = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (s.size() - i < len) {
    ++i;
    return 0xFFFD;
  }
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

bool py_islower(std::string_view s) {
  bool cased = false;
  size_t i = 0;
  while (i < s.size()) {
    const Case c = classify(next_code_point(s, i));
    if (c == Case::Upper) return false;
    if (c == Case::Lower) cased = true;
  }
  return cased;
}

// ---- raw (structural) representation --------------------------------------------------------

enum class OpKind { Eq, NotEq, Gt, Ge, Lt, Le, Like, ILike, In, NotIn, Other };

struct RawOp {
  OpKind kind = OpKind::Eq;
  std::string text;  // canonical display form: "=", "LIKE", "NOT IN", or e.g. "==" / "RLIKE"
};

enum class KeyQuote { Bare, Double, Backtick };

struct RawIdent {
  bool has_entity = false;
  std::string entity;  // backticks removed
  bool entity_backticked = false;
  std::string key;  // quotes removed
  KeyQuote key_quote = KeyQuote::Bare;
};

// Keyword: NULL / TRUE / FALSE, which sqlparse lexes as keywords rather than identifiers.
enum class ValKind { Single, Double, Backtick, Bare, Keyword, Number, List };
enum class ListIssue { None, Empty, IllFormed, NonString };

struct RawValue {
  ValKind kind = ValKind::Single;
  std::string raw;      // the token as written (used in error messages)
  std::string content;  // quoted kinds: text between the quotes
  double number = 0;
  std::vector<std::string> items;  // List: unquoted items (before lowercase filtering)
  ListIssue issue = ListIssue::None;
};

struct RawClause {
  RawIdent ident;
  RawOp op;
  RawValue value;
  size_t begin = 0;
  size_t end = 0;
};

double to_double(std::string_view lit) {
  double v = 0;
  const auto res = std::from_chars(lit.data(), lit.data() + lit.size(), v);
  if (res.ec == std::errc() && res.ptr == lit.data() + lit.size()) return v;
  // Out of range (e.g. 1e999): strtod gives +-HUGE_VAL / 0 like Python's float().
  const std::string copy(lit);
  return std::strtod(copy.c_str(), nullptr);
}

// Scanner over one input string. String literals end where sqlparse's lexer ends them:
// '...' and "..." follow the regex '(''|\\'|[^'])*' (a doubled quote or a backslash-quote does
// not terminate, with regex backtracking), `...` follows `(``|[^`])*`. The content is kept raw
// (no escape processing). end_[q][i] = one past the closing quote of a literal whose content
// starts at i, computed once by dynamic programming over the suffixes (O(n)).
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s), n_(s.size()) {
    build(0, '\'', true);
    build(1, '"', true);
    build(2, '`', false);
  }

  size_t size() const { return n_; }
  std::string_view text() const { return s_; }
  char at(size_t i) const { return i < n_ ? s_[i] : '\0'; }

  size_t skip_ws(size_t p) const {
    while (p < n_ && is_space(s_[p])) ++p;
    return p;
  }
  size_t word_end(size_t p) const {
    while (p < n_ && is_word_char(s_[p])) ++p;
    return p;
  }

  // s_[p] must be a quote char; returns one past the closing quote, or kNone if unterminated.
  size_t quoted_end(size_t p) const {
    if (p >= n_) return kNone;
    const int k = s_[p] == '\'' ? 0 : s_[p] == '"' ? 1 : s_[p] == '`' ? 2 : -1;
    if (k < 0) return kNone;
    return end_[k][p + 1];
  }

  // Number literal: -?(digits[.digits*] | .digits)([eE][+-]?digits)?; returns end or p if none.
  size_t number_end(size_t p) const {
    size_t q = p;
    if (q < n_ && s_[q] == '-') ++q;
    const size_t d0 = q;
    while (q < n_ && is_digit(s_[q])) ++q;
    const size_t int_digits = q - d0;
    if (q < n_ && s_[q] == '.') {
      size_t q2 = q + 1;
      while (q2 < n_ && is_digit(s_[q2])) ++q2;
      if (int_digits > 0 || q2 > q + 1) q = q2;
    }
    if (q == d0) return p;  // no mantissa digits
    if (q < n_ && (s_[q] == 'e' || s_[q] == 'E')) {
      size_t q2 = q + 1;
      if (q2 < n_ && (s_[q2] == '+' || s_[q2] == '-')) ++q2;
      const size_t e0 = q2;
      while (q2 < n_ && is_digit(s_[q2])) ++q2;
      if (q2 > e0) q = q2;
    }
    return q;
  }

  // identifier := [entity "."] key; entity bare word or `backticked`; key bare (word chars and
  // '.'), "double-quoted" or `backticked`. A lone "double-quoted" word is a key.
  bool scan_ident(size_t& p, RawIdent& out) const {
    const char c = at(p);
    if (p >= n_) return false;
    if (c == '"') {
      const size_t e = quoted_end(p);
      if (e == kNone) return false;
      out.key = std::string(s_.substr(p + 1, e - p - 2));
      out.key_quote = KeyQuote::Double;
      p = e;
      return true;
    }
    if (c == '`') {
      const size_t e = quoted_end(p);
      if (e == kNone) return false;
      std::string text(s_.substr(p + 1, e - p - 2));
      if (at(e) == '.' && e < n_) {
        out.has_entity = true;
        out.entity = std::move(text);
        out.entity_backticked = true;
        p = e + 1;
        return scan_key(p, out);
      }
      out.key = std::move(text);
      out.key_quote = KeyQuote::Backtick;
      p = e;
      return true;
    }
    if (is_word_char(c)) {
      const size_t e = word_end(p);
      std::string word(s_.substr(p, e - p));
      if (e < n_ && s_[e] == '.') {
        out.has_entity = true;
        out.entity = std::move(word);
        p = e + 1;
        return scan_key(p, out);
      }
      out.key = std::move(word);
      p = e;
      return true;
    }
    return false;
  }

  bool scan_op(size_t& p, RawOp& out) const {
    if (p >= n_) return false;
    if (is_op_char(s_[p])) {
      size_t e = p;
      while (e < n_ && is_op_char(s_[e])) ++e;
      out.text = std::string(s_.substr(p, e - p));
      if (out.text == "=") out.kind = OpKind::Eq;
      else if (out.text == "!=") out.kind = OpKind::NotEq;
      else if (out.text == ">") out.kind = OpKind::Gt;
      else if (out.text == ">=") out.kind = OpKind::Ge;
      else if (out.text == "<") out.kind = OpKind::Lt;
      else if (out.text == "<=") out.kind = OpKind::Le;
      else out.kind = OpKind::Other;
      p = e;
      return true;
    }
    if (!is_word_char(s_[p])) return false;
    size_t e = word_end(p);
    const std::string w = ascii_upper(s_.substr(p, e - p));
    if (w == "LIKE") {
      out = {OpKind::Like, "LIKE"};
    } else if (w == "ILIKE") {
      out = {OpKind::ILike, "ILIKE"};
    } else if (w == "IN") {
      out = {OpKind::In, "IN"};
    } else if (w == "RLIKE") {
      out = {OpKind::Other, "RLIKE"};  // known to sqlparse, never allowed here
    } else if (w == "NOT") {
      const size_t q = skip_ws(e);
      const size_t e2 = word_end(q);
      const std::string w2 = ascii_upper(s_.substr(q, e2 - q));
      if (w2 == "IN") {
        out = {OpKind::NotIn, "NOT IN"};
      } else if (w2 == "LIKE" || w2 == "ILIKE" || w2 == "RLIKE") {
        out = {OpKind::Other, "NOT " + w2};
      } else {
        return false;
      }
      e = e2;
    } else {
      return false;  // IS, BETWEEN, OR, ...
    }
    p = e;
    return true;
  }

  bool scan_value(size_t& p, RawValue& out) const {
    if (p >= n_) return false;
    const char c = s_[p];
    if (c == '\'' || c == '"' || c == '`') {
      const size_t e = quoted_end(p);
      if (e == kNone) return false;
      out.kind = c == '\'' ? ValKind::Single : c == '"' ? ValKind::Double : ValKind::Backtick;
      out.raw = std::string(s_.substr(p, e - p));
      out.content = std::string(s_.substr(p + 1, e - p - 2));
      p = e;
      return true;
    }
    if (c == '(') return scan_list(p, out);
    size_t e = number_end(p);
    if (e > p) {
      if (e < n_ && (is_word_char(s_[e]) || s_[e] == '.')) {
        // e.g. "1e", "1.2.3", "5abc": not a number; reported like an unquoted word.
        while (e < n_ && (is_word_char(s_[e]) || s_[e] == '.')) ++e;
        out.kind = ValKind::Bare;
        out.raw = std::string(s_.substr(p, e - p));
      } else {
        out.kind = ValKind::Number;
        out.raw = std::string(s_.substr(p, e - p));
        out.number = to_double(out.raw);
      }
      p = e;
      return true;
    }
    if (!is_word_char(c)) return false;
    e = p;
    while (e < n_ && (is_word_char(s_[e]) || s_[e] == '.')) ++e;
    const std::string upper = ascii_upper(s_.substr(p, e - p));
    if (upper == "AND" || upper == "OR" || upper == "NOT") return false;
    const bool keyword = upper == "NULL" || upper == "TRUE" || upper == "FALSE";
    out.kind = keyword ? ValKind::Keyword : ValKind::Bare;
    out.raw = std::string(s_.substr(p, e - p));
    p = e;
    return true;
  }

 private:
  void build(int k, char q, bool backslash) {
    auto& f = end_[k];
    f.assign(n_ + 2, kNone);
    // f[i]: result of matching the rest of a literal whose content resumes at i. Alternatives
    // are tried in the regex's order (doubled quote, backslash-quote, any other char), then the
    // closing quote.
    for (size_t j = n_; j > 0; --j) {
      const size_t i = j - 1;
      const char c = s_[i];
      const bool next_is_q = i + 1 < n_ && s_[i + 1] == q;
      size_t r = kNone;
      if (c == q && next_is_q && f[i + 2] != kNone) {
        r = f[i + 2];
      } else if (backslash && c == '\\' && next_is_q && f[i + 2] != kNone) {
        r = f[i + 2];
      } else if (c != q && f[i + 1] != kNone) {
        r = f[i + 1];
      } else if (c == q) {
        r = i + 1;
      }
      f[i] = r;
    }
  }

  bool scan_key(size_t& p, RawIdent& out) const {
    const char c = at(p);
    if (p < n_ && (c == '"' || c == '`')) {
      const size_t e = quoted_end(p);
      if (e == kNone) return false;
      out.key = std::string(s_.substr(p + 1, e - p - 2));
      out.key_quote = c == '"' ? KeyQuote::Double : KeyQuote::Backtick;
      p = e;
      return true;
    }
    size_t e = p;
    while (e < n_ && (is_word_char(s_[e]) || s_[e] == '.')) ++e;
    out.key = std::string(s_.substr(p, e - p));  // may be empty ("tags." is accepted by MLflow)
    out.key_quote = KeyQuote::Bare;
    p = e;
    return true;
  }

  // "(" items ")" where items are quoted strings separated by commas, optional trailing comma;
  // adjacent strings within an item are concatenated (Python literal semantics, no escapes).
  // Structural failure (no matching ')') returns false; content problems are recorded in
  // out.issue and reported later, like MLflow's literal_eval-based list parsing.
  bool scan_list(size_t& p, RawValue& out) const {
    size_t depth = 0;
    size_t q = p;
    while (q < n_) {
      const char c = s_[q];
      if (c == '\'' || c == '"' || c == '`') {
        const size_t e = quoted_end(q);
        q = e == kNone ? q + 1 : e;
        continue;
      }
      if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (--depth == 0) break;
      }
      ++q;
    }
    if (q >= n_) return false;
    const size_t close = q;
    out.kind = ValKind::List;
    out.raw = std::string(s_.substr(p, close + 1 - p));

    size_t i = p + 1;
    bool any = false;
    bool need_sep = false;
    bool non_string = false;
    while (true) {
      i = skip_ws(i);
      if (i >= close) break;
      if (need_sep) {
        if (s_[i] != ',') {
          out.issue = ListIssue::IllFormed;
          break;
        }
        ++i;
        need_sep = false;
        continue;
      }
      const char c = s_[i];
      if (c == '\'' || c == '"') {
        // Adjacent literals concatenate, as in Python ('a' "b" == 'ab').
        std::string item;
        bool bad = false;
        while (i < close && (s_[i] == '\'' || s_[i] == '"')) {
          const size_t e = quoted_end(i);
          if (e == kNone || e > close) {
            bad = true;
            break;
          }
          item.append(s_.substr(i + 1, e - i - 2));
          i = skip_ws(e);
        }
        if (bad) {
          out.issue = ListIssue::IllFormed;
          break;
        }
        out.items.push_back(std::move(item));
      } else {
        const size_t e = number_end(i);
        if (e == i || !(e == close || is_space(s_[e]) || s_[e] == ',')) {
          out.issue = ListIssue::IllFormed;
          break;
        }
        non_string = true;
        i = e;
      }
      any = true;
      need_sep = true;
    }
    if (out.issue == ListIssue::None) {
      if (!any) {
        out.issue = ListIssue::Empty;
      } else if (non_string) {
        out.issue = ListIssue::NonString;
      }
    }
    p = close + 1;
    return true;
  }

  std::string_view s_;
  size_t n_;
  std::vector<size_t> end_[3];
};

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

bool one_of(std::string_view s, std::initializer_list<std::string_view> opts) {
  for (auto o : opts) {
    if (s == o) return true;
  }
  return false;
}

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

bool stringish(ValKind k) {
  return k == ValKind::Single || k == ValKind::Double || k == ValKind::Backtick ||
         k == ValKind::Bare;
}

// MLflow's _strip_quotes(value, expect_quoted_value=True).
std::string expect_quoted(const RawValue& v) {
  if (v.kind == ValKind::Single || v.kind == ValKind::Double) return v.content;
  throw_invalid("Parameter value is either not quoted or unidentified quote types used for "
                "string value " + v.raw + ". Use either single or double quotes.");
}

Value string_value(std::string s) {
  Value out;
  out.kind = Value::Kind::String;
  out.text = std::move(s);
  return out;
}

// A literal that overflows (1e999, or beyond 2^53 for an integer attribute) is refused.
Value number_value(const RawValue& v, bool integer_attribute = false) {
  if (!std::isfinite(v.number) || (integer_attribute && std::fabs(v.number) > limits::kMaxIntegerLiteral)) {
    throw_invalid("Invalid number " + util::python_repr(v.raw.substr(0, 100)) + " in search filter: out of range.");
  }
  Value out;
  out.kind = Value::Kind::Number;
  out.number = v.number;
  out.text = v.raw;
  return out;
}

// Lists (MLflow's _parse_run_ids): non-empty, all strings. Entries that are not lowercase per
// Python str.islower() are dropped - run ids are lowercase hex and MySQL's IN is
// case-insensitive. MLflow applies the same filter to dataset lists, and so do we. The result
// may therefore be empty.
Value list_value(const RawValue& v) {
  switch (v.issue) {
    case ListIssue::Empty:
      throw_invalid("While parsing a list in the query, expected a non-empty list of string "
                    "values, but got empty list");
    case ListIssue::IllFormed:
      throw_invalid("While parsing a list in the query, expected a non-empty list of string "
                    "values, but got ill-formed list.");
    case ListIssue::NonString:
      throw_invalid("While parsing a list in the query, expected string value, punctuation, "
                    "or whitespace, but got different type in list: " + v.raw);
    case ListIssue::None: break;
  }
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
  const Scanner sc(filter);
  const size_t n = sc.size();
  if (sc.skip_ws(0) >= n) return {};

  // Phase 1: a ';' outside literals with more text after it means several SQL statements.
  for (size_t q = 0; q < n;) {
    const char c = filter[q];
    if (c == '\'' || c == '"' || c == '`') {
      const size_t e = sc.quoted_end(q);
      q = e == kNone ? q + 1 : e;
      continue;
    }
    if (c == ';') {
      if (sc.skip_ws(q + 1) < n) {
        throw_invalid("Search filter contained multiple expression " + util::python_repr(filter) +
                      ". Provide AND-ed expression list.");
      }
      break;  // a trailing ';' is reported as an invalid clause below
    }
    ++q;
  }

  // Phase 2: structure. Like MLflow, AND keywords may appear anywhere between comparisons
  // (leading, trailing, repeated) and adjacent comparisons are implicitly AND-ed.
  std::vector<RawClause> raws;
  size_t p = 0;
  while (true) {
    p = sc.skip_ws(p);
    if (p >= n) break;
    if (is_word_char(filter[p])) {
      const size_t e = sc.word_end(p);
      if (ascii_upper(filter.substr(p, e - p)) == "AND" && sc.at(e) != '.') {
        p = e;
        continue;
      }
    }
    const size_t start = p;
    RawClause c;
    c.begin = start;
    bool ok = sc.scan_ident(p, c.ident);
    if (ok) {
      p = sc.skip_ws(p);
      ok = sc.scan_op(p, c.op);
    }
    if (ok) {
      p = sc.skip_ws(p);
      ok = sc.scan_value(p, c.value);
    }
    if (!ok) throw_invalid_clause(trim(filter.substr(start)), grammar);
    c.end = p;
    raws.push_back(std::move(c));
    limits::check_filter_clauses(raws.size());
  }

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
  limits::check_filter_length(clause.size());
  const std::string quoted(clause);
  auto unparsable = [&]() -> void {
    throw_invalid("Invalid order_by clause '" + quoted + "'. Could not be parsed.");
  };
  const Scanner sc(clause);
  const size_t n = sc.size();
  // Like MLflow (sqlparse sees a single identifier only), surrounding whitespace is rejected.
  if (n == 0 || is_space(clause.front()) || is_space(clause.back())) unparsable();

  size_t p = 0;
  RawIdent id;
  if (!sc.scan_ident(p, id)) unparsable();
  bool ascending = true;
  if (p < n) {
    const size_t q = sc.skip_ws(p);
    const size_t e = sc.word_end(q);
    if (q == p || e == q || e != n) unparsable();
    const std::string dir = ascii_lower(clause.substr(q, e - q));
    if (dir == "asc") {
      ascending = true;
    } else if (dir == "desc") {
      ascending = false;
    } else {
      throw_invalid("Invalid ordering key in order_by clause '" + quoted + "'.");
    }
  }

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
