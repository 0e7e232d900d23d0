#include "graphql/lexer.hpp"

#include <cstdint>
#include <vector>

#include "graphql/error.hpp"
#include "util/utf8_encode.hpp"

namespace sextant::graphql {

namespace {

[[noreturn]] void syntax_error(const std::string& what) { throw GraphqlError("Syntax Error: " + what); }

bool name_start(char c) { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool name_continue(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

std::string printable(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static const char* hex = "0123456789ABCDEF";
  return std::string("U+00") + hex[u >> 4] + hex[u & 15];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The spec's BlockStringValue: common indentation removed, leading and trailing blank lines dropped.
std::string block_string_value(const std::string& raw) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= raw.size(); ++i) {
    if (i == raw.size() || raw[i] == '\n' || raw[i] == '\r') {
      lines.push_back(raw.substr(start, i - start));
      if (i < raw.size() && raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  auto indent_of = [](const std::string& l) {
    std::size_t n = 0;
    while (n < l.size() && (l[n] == ' ' || l[n] == '\t')) ++n;
    return n;
  };
  std::size_t common = std::string::npos;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto n = indent_of(lines[i]);
    if (n < lines[i].size() && n < common) common = n;
  }
  if (common != std::string::npos)
    for (std::size_t i = 1; i < lines.size(); ++i) lines[i].erase(0, std::min(common, lines[i].size()));
  auto blank = [&](const std::string& l) { return indent_of(l) == l.size(); };
  std::size_t first = 0, last = lines.size();
  while (first < last && blank(lines[first])) ++first;
  while (last > first && blank(lines[last - 1])) --last;
  std::string out;
  for (std::size_t i = first; i < last; ++i) {
    if (i > first) out += '\n';
    out += lines[i];
  }
  return out;
}

}  // namespace

std::string Token::describe() const {
  switch (kind) {
    case Kind::End: return "<EOF>";
    case Kind::Punctuator: return "'" + text + "'";
    case Kind::Name: return "Name '" + text + "'";
    case Kind::Int: return "Int '" + text + "'";
    case Kind::Float: return "Float '" + text + "'";
    case Kind::String:
    case Kind::BlockString: return "String";
  }
  return "token";
}

void Lexer::skip_ignored() {
  while (!at_end()) {
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      ++pos_;
    } else if (c == '#') {
      while (!at_end() && peek() != '\n' && peek() != '\r') ++pos_;
    } else if (src_.substr(pos_, 3) == "\xEF\xBB\xBF") {  // BOM
      pos_ += 3;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skip_ignored();
  Token t;
  t.offset = pos_;
  if (at_end()) return t;
  char c = peek();
  switch (c) {
    case '!': case '$': case '&': case '(': case ')': case ':': case '=': case '@':
    case '[': case ']': case '{': case '|': case '}':
      ++pos_;
      t.kind = Token::Kind::Punctuator;
      t.text = std::string(1, c);
      return t;
    case '.':
      if (peek(1) == '.' && peek(2) == '.') {
        pos_ += 3;
        t.kind = Token::Kind::Punctuator;
        t.text = "...";
        return t;
      }
      syntax_error("Unexpected character: '.'.");
    case '"':
      if (peek(1) == '"' && peek(2) == '"') return read_block_string(pos_);
      return read_string(pos_);
    default: break;
  }
  if (name_start(c)) {
    std::size_t start = pos_;
    while (!at_end() && name_continue(peek())) ++pos_;
    t.kind = Token::Kind::Name;
    t.text = std::string(src_.substr(start, pos_ - start));
    return t;
  }
  if (c == '-' || digit(c)) return read_number(pos_);
  syntax_error("Unexpected character: " + printable(c) + ".");
}

Token Lexer::read_number(std::size_t start) {
  bool is_float = false;
  if (peek() == '-') ++pos_;
  if (peek() == '0') {
    ++pos_;
    if (digit(peek())) syntax_error("Invalid number, unexpected digit after 0: " + printable(peek()) + ".");
  } else {
    if (!digit(peek())) syntax_error("Invalid number, expected digit but got: " + (at_end() ? std::string("<EOF>") : printable(peek())) + ".");
    while (digit(peek())) ++pos_;
  }
  if (peek() == '.') {
    is_float = true;
    ++pos_;
    if (!digit(peek())) syntax_error("Invalid number, expected digit but got: " + (at_end() ? std::string("<EOF>") : printable(peek())) + ".");
    while (digit(peek())) ++pos_;
  }
  if (peek() == 'e' || peek() == 'E') {
    is_float = true;
    ++pos_;
    if (peek() == '+' || peek() == '-') ++pos_;
    if (!digit(peek())) syntax_error("Invalid number, expected digit but got: " + (at_end() ? std::string("<EOF>") : printable(peek())) + ".");
    while (digit(peek())) ++pos_;
  }
  if (peek() == '.' || name_start(peek())) syntax_error("Invalid number, expected digit but got: " + printable(peek()) + ".");
  Token t;
  t.kind = is_float ? Token::Kind::Float : Token::Kind::Int;
  t.text = std::string(src_.substr(start, pos_ - start));
  t.offset = start;
  return t;
}

Token Lexer::read_string(std::size_t start) {
  ++pos_;  // opening quote
  std::string value;
  while (true) {
    if (at_end()) syntax_error("Unterminated string.");
    char c = peek();
    if (c == '"') {
      ++pos_;
      break;
    }
    if (c == '\n' || c == '\r') syntax_error("Unterminated string.");
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t') syntax_error("Invalid character within String: " + printable(c) + ".");
    if (c != '\\') {
      value += c;
      ++pos_;
      continue;
    }
    char e = peek(1);
    pos_ += 2;
    switch (e) {
      case '"': value += '"'; break;
      case '\\': value += '\\'; break;
      case '/': value += '/'; break;
      case 'b': value += '\b'; break;
      case 'f': value += '\f'; break;
      case 'n': value += '\n'; break;
      case 'r': value += '\r'; break;
      case 't': value += '\t'; break;
      case 'u': {
        auto read4 = [&]() -> std::int32_t {
          std::int32_t v = 0;
          for (int i = 0; i < 4; ++i) {
            int h = hex_value(peek());
            if (h < 0) syntax_error("Invalid Unicode escape sequence.");
            v = v * 16 + h;
            ++pos_;
          }
          return v;
        };
        std::uint32_t cp = 0;
        if (peek() == '{') {  // \u{1F600}
          ++pos_;
          std::size_t digits = 0;
          while (peek() != '}') {
            int h = hex_value(peek());
            if (h < 0 || ++digits > 6) syntax_error("Invalid Unicode escape sequence.");
            cp = cp * 16 + static_cast<std::uint32_t>(h);
            ++pos_;
          }
          ++pos_;
          if (digits == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) syntax_error("Invalid Unicode escape sequence.");
        } else {
          cp = static_cast<std::uint32_t>(read4());
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a surrogate pair, written as two escapes
            if (peek() != '\\' || peek(1) != 'u') syntax_error("Invalid Unicode escape sequence.");
            pos_ += 2;
            auto low = static_cast<std::uint32_t>(read4());
            if (low < 0xDC00 || low > 0xDFFF) syntax_error("Invalid Unicode escape sequence.");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            syntax_error("Invalid Unicode escape sequence.");
          }
        }
        util::append_utf8(value, cp);
        break;
      }
      default: syntax_error("Invalid character escape sequence.");
    }
  }
  Token t;
  t.kind = Token::Kind::String;
  t.text = std::move(value);
  t.offset = start;
  return t;
}

Token Lexer::read_block_string(std::size_t start) {
  pos_ += 3;
  std::string raw;
  while (true) {
    if (at_end()) syntax_error("Unterminated string.");
    if (peek() == '"' && peek(1) == '"' && peek(2) == '"') {
      pos_ += 3;
      break;
    }
    if (peek() == '\\' && peek(1) == '"' && peek(2) == '"' && peek(3) == '"') {
      raw += "\"\"\"";
      pos_ += 4;
      continue;
    }
    auto u = static_cast<unsigned char>(peek());
    if (u < 0x20 && peek() != '\t' && peek() != '\n' && peek() != '\r') {
      syntax_error("Invalid character within String: " + printable(peek()) + ".");
    }
    raw += peek();
    ++pos_;
  }
  Token t;
  t.kind = Token::Kind::BlockString;
  t.text = block_string_value(raw);
  t.offset = start;
  return t;
}

}  // namespace sextant::graphql
