// The lexical layer shared by the search filter parsers (search/filter_parser, search/trace_filter):
// MLflow's sqlparse-based tokenisation of "identifier comparator value" clauses re-done as a
// hand-written scanner (no regex), Python's str.islower(), and the structural pass that cuts a
// filter into raw clauses. Pure; every index bounds-checked. Internal to src/search.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "search/ast.hpp"
#include "search/limits.hpp"
#include "util/strings.hpp"

namespace sextant::search::scanner {

using std::size_t;

inline constexpr size_t kNone = static_cast<size_t>(-1);

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Word characters: ASCII letters, digits, '_' and any non-ASCII byte (UTF-8 letters; sqlparse
// matches names with \w in Unicode mode).
inline bool is_word_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
inline bool is_op_char(char c) { return c == '<' || c == '>' || c == '=' || c == '~' || c == '!'; }

inline std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

inline std::string_view trim(std::string_view s) {
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

inline Case classify(uint32_t cp) {
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
inline uint32_t next_code_point(std::string_view s, size_t& i) {
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

inline bool py_islower(std::string_view s) {
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

inline double to_double(std::string_view lit) {
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

inline bool one_of(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto o : options) {
    if (s == o) return true;
  }
  return false;
}

// ---- value checks shared by the grammars -----------------------------------------------------

// A value token MLflow takes for a string (a quoted literal, or what sqlparse calls an
// Identifier: a bare word or a backticked one; expect_quoted then refuses the latter two).
inline bool stringish(ValKind k) {
  return k == ValKind::Single || k == ValKind::Double || k == ValKind::Backtick || k == ValKind::Bare;
}

// MLflow's _strip_quotes(value, expect_quoted_value=True).
inline std::string expect_quoted(const RawValue& v) {
  if (v.kind == ValKind::Single || v.kind == ValKind::Double) return v.content;
  core::throw_invalid("Parameter value is either not quoted or unidentified quote types used for "
                      "string value " + v.raw + ". Use either single or double quotes.");
}

inline Value string_value(std::string s) {
  Value out;
  out.kind = Value::Kind::String;
  out.text = std::move(s);
  return out;
}

// A literal that overflows (1e999, or beyond 2^53 for an integer attribute) is refused.
inline Value number_value(const RawValue& v, bool integer_attribute = false) {
  if (!std::isfinite(v.number) || (integer_attribute && std::fabs(v.number) > limits::kMaxIntegerLiteral)) {
    core::throw_invalid("Invalid number " + util::python_repr(v.raw.substr(0, 100)) +
                        " in search filter: out of range.");
  }
  Value out;
  out.kind = Value::Kind::Number;
  out.number = v.number;
  out.text = v.raw;
  return out;
}

// MLflow's _parse_list_from_sql_token checks: a non-empty, well-formed list of strings.
inline void check_list(const RawValue& v) {
  switch (v.issue) {
    case ListIssue::Empty:
      core::throw_invalid("While parsing a list in the query, expected a non-empty list of string "
                          "values, but got empty list");
    case ListIssue::IllFormed:
      core::throw_invalid("While parsing a list in the query, expected a non-empty list of string "
                          "values, but got ill-formed list.");
    case ListIssue::NonString:
      core::throw_invalid("While parsing a list in the query, expected string value, punctuation, "
                          "or whitespace, but got different type in list: " + v.raw);
    case ListIssue::None: break;
  }
}

// Phases 1 and 2 of a filter parse (the AST-specific checks come after): a ';' followed by more
// text -> "Search filter contained multiple expression ..."; then the clauses, each
// identifier, comparator, value, with AND keywords anywhere between them (leading, trailing,
// repeated; adjacent comparisons are implicitly AND-ed, as in MLflow). A clause that does not
// scan -> "Invalid clause(s) in filter string: <rest>" (the rest in single quotes when
// `quote_fragment`). Enforces limits::check_filter_clauses.
inline std::vector<RawClause> scan_clauses(std::string_view filter, bool quote_fragment) {
  const Scanner sc(filter);
  const size_t n = sc.size();
  for (size_t q = 0; q < n;) {
    const char c = filter[q];
    if (c == '\'' || c == '"' || c == '`') {
      const size_t e = sc.quoted_end(q);
      q = e == kNone ? q + 1 : e;
      continue;
    }
    if (c == ';') {
      if (sc.skip_ws(q + 1) < n) {
        core::throw_invalid("Search filter contained multiple expression " + util::python_repr(filter) +
                            ". Provide AND-ed expression list.");
      }
      break;  // a trailing ';' is reported as an invalid clause below
    }
    ++q;
  }
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
    if (!ok) {
      const std::string_view fragment = trim(filter.substr(start));
      core::throw_invalid("Invalid clause(s) in filter string: " +
                          (quote_fragment ? "'" + std::string(fragment) + "'" : std::string(fragment)));
    }
    c.end = p;
    raws.push_back(std::move(c));
    limits::check_filter_clauses(raws.size());
  }
  return raws;
}

// One order_by element: identifier [ASC|DESC] (case-insensitive direction), as MLflow's
// sqlparse sees it: surrounding whitespace or anything else -> "Invalid order_by clause '<c>'.
// Could not be parsed.", another word -> "Invalid ordering key in order_by clause '<c>'.".
// Enforces limits::check_filter_length. Returns the identifier and whether ascending.
inline std::pair<RawIdent, bool> scan_order_by(std::string_view clause) {
  limits::check_filter_length(clause.size());
  const std::string quoted(clause);
  auto unparsable = [&]() -> void {
    core::throw_invalid("Invalid order_by clause '" + quoted + "'. Could not be parsed.");
  };
  const Scanner sc(clause);
  const size_t n = sc.size();
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
      core::throw_invalid("Invalid ordering key in order_by clause '" + quoted + "'.");
    }
  }
  return {std::move(id), ascending};
}

}  // namespace sextant::search::scanner
