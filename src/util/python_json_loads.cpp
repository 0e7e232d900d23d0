#include "util/python_json_loads.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "util/utf8_encode.hpp"

namespace sextant::util {

namespace {

using json = nlohmann::ordered_json;

struct Invalid {};
struct TooDeep {};

class Parser {
 public:
  Parser(std::string_view t, int max_depth) : s_(t), max_depth_(max_depth) {}

  json document() {
    ws();
    json v = value(0);
    ws();
    if (i_ != s_.size()) throw Invalid{};
    return v;
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  json value(int depth) {
    if (i_ >= s_.size()) throw Invalid{};
    char c = s_[i_];
    if (c == '{' || c == '[') {
      if (depth >= max_depth_) throw TooDeep{};
      return c == '{' ? object(depth + 1) : array(depth + 1);
    }
    if (c == '"') return json(string());
    if (literal("null")) return json(nullptr);
    if (literal("true")) return json(true);
    if (literal("false")) return json(false);
    if (literal("NaN")) return json(std::numeric_limits<double>::quiet_NaN());
    if (literal("Infinity")) return json(std::numeric_limits<double>::infinity());
    if (literal("-Infinity")) return json(-std::numeric_limits<double>::infinity());
    return number();
  }

  json object(int depth) {
    ++i_;
    json obj = json::object();
    ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return obj;
    }
    while (true) {
      ws();
      if (i_ >= s_.size() || s_[i_] != '"') throw Invalid{};
      std::string key = string();
      ws();
      if (i_ >= s_.size() || s_[i_] != ':') throw Invalid{};
      ++i_;
      ws();
      obj[key] = value(depth);
      ws();
      if (i_ >= s_.size()) throw Invalid{};
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == '}') {
        ++i_;
        return obj;
      }
      throw Invalid{};
    }
  }

  json array(int depth) {
    ++i_;
    json arr = json::array();
    ws();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return arr;
    }
    while (true) {
      ws();
      arr.push_back(value(depth));
      ws();
      if (i_ >= s_.size()) throw Invalid{};
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == ']') {
        ++i_;
        return arr;
      }
      throw Invalid{};
    }
  }

  int hex4() {
    if (i_ + 4 > s_.size()) throw Invalid{};
    int v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else throw Invalid{};
    }
    return v;
  }

  std::string string() {
    ++i_;  // opening quote
    std::string out;
    while (true) {
      if (i_ >= s_.size()) throw Invalid{};
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c < 0x20) throw Invalid{};  // strict: control characters must be escaped
      if (c != '\\') {
        out += static_cast<char>(c);
        ++i_;
        continue;
      }
      if (++i_ >= s_.size()) throw Invalid{};
      char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = static_cast<std::uint32_t>(hex4());
          if (cp >= 0xd800 && cp <= 0xdbff && s_.substr(i_, 2) == "\\u") {
            std::size_t save = i_;
            i_ += 2;
            auto lo = static_cast<std::uint32_t>(hex4());
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else {
              i_ = save;
            }
          }
          if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
          append_utf8(out, cp);
          break;
        }
        default: throw Invalid{};
      }
    }
  }

  json number() {
    std::size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size()) throw Invalid{};
    if (s_[i_] == '0') {
      ++i_;
    } else if (s_[i_] >= '1' && s_[i_] <= '9') {
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    } else {
      throw Invalid{};
    }
    bool is_float = false;
    if (i_ + 1 < s_.size() && s_[i_] == '.' && s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9') {
      is_float = true;
      ++i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      std::size_t save = i_++;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        is_float = true;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      } else {
        i_ = save;  // Python: the number ends before the 'e' (then the document is invalid)
      }
    }
    std::string_view text = s_.substr(start, i_ - start);
    if (!is_float) {
      std::int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && p == text.data() + text.size()) return json(v);
      std::uint64_t u = 0;
      auto [p2, ec2] = std::from_chars(text.data(), text.data() + text.size(), u);
      if (ec2 == std::errc() && p2 == text.data() + text.size()) return json(u);
    }
    std::string copy(text);
    return json(std::strtod(copy.c_str(), nullptr));  // overflow gives inf, as float() does
  }

  std::string_view s_;
  std::size_t i_ = 0;
  int max_depth_;
};

}  // namespace

PythonJsonLoad python_json_loads(std::string_view text, int max_depth) {
  PythonJsonLoad out;
  try {
    out.value = Parser(text, max_depth).document();
    out.status = PythonJsonLoad::Status::Ok;
  } catch (const Invalid&) {
    out.status = PythonJsonLoad::Status::Invalid;
  } catch (const TooDeep&) {
    out.status = PythonJsonLoad::Status::TooDeep;
  }
  return out;
}

}  // namespace sextant::util
