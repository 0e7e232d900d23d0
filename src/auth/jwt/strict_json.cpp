#include "auth/jwt/strict_json.hpp"

#include <unordered_set>
#include <vector>

namespace sextant::auth::jwt {
namespace {
constexpr int kMaxDepth = 32;
}

std::optional<nlohmann::json> parse_strict_json_object(std::string_view text, std::string* error) {
  using nlohmann::json;
  std::vector<std::unordered_set<std::string>> objects;  // member names of each open object
  std::string problem;
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (!problem.empty()) return true;
    if (depth > kMaxDepth) {
      problem = "nesting too deep";
      return true;
    }
    switch (event) {
      case json::parse_event_t::object_start:
        objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!objects.empty()) objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (!objects.empty() && !objects.back().insert(parsed.get<std::string>()).second)
          problem = "duplicate member \"" + parsed.get<std::string>() + "\"";
        break;
      default:
        break;
    }
    return true;
  };
  json value;
  try {
    value = json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const json::exception& e) {
    if (error) *error = std::string("invalid JSON: ") + e.what();
    return std::nullopt;
  }
  if (!problem.empty()) {
    if (error) *error = problem;
    return std::nullopt;
  }
  if (!value.is_object()) {
    if (error) *error = "not a JSON object";
    return std::nullopt;
  }
  return value;
}

}  // namespace sextant::auth::jwt
