// GraphQL's lexical grammar (spec section 2.1): punctuators, names, numbers, strings and block
// strings; whitespace, commas, comments and a BOM are skipped. Works on any bytes (bytes >= 0x80
// only inside strings and comments); errors are GraphqlError("Syntax Error: ...").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sextant::graphql {

struct Token {
  enum class Kind { End, Punctuator, Name, Int, Float, String, BlockString } kind = Kind::End;
  std::string text;  // punctuator ("{", "...", ...), name, number text, or the string's value
  std::size_t offset = 0;

  // How messages name it: <EOF>, '{', Name 'x', Int '1', String "s".
  std::string describe() const;
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}
  // The next token; Kind::End at the end of the source, again on every later call.
  Token next();

 private:
  void skip_ignored();
  Token read_number(std::size_t start);
  Token read_string(std::size_t start);
  Token read_block_string(std::size_t start);
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }
  bool at_end(std::size_t ahead = 0) const { return pos_ + ahead >= src_.size(); }

  std::string_view src_;
  std::size_t pos_ = 0;
};

}  // namespace sextant::graphql
