// JSON parsing for security-relevant documents (JOSE headers, JWT claims, JWKS): the text must
// be one JSON object, valid UTF-8, nesting at most 32 deep, and no object anywhere may repeat a
// member name (compared after unescaping, so "alg" and "\u0061lg" collide). nlohmann::json keeps
// the last duplicate silently, which lets an attacker show one value to one parser and another to
// the next; we refuse such documents instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sextant::auth::jwt {

// nullopt (with `error` set when given) if the text is not such an object.
std::optional<nlohmann::json> parse_strict_json_object(std::string_view text, std::string* error = nullptr);

}  // namespace sextant::auth::jwt
