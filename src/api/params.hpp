// Reading RPC request fields the way MLflow's server does (mlflow-api.md §1.2): JSON body for
// POST/PUT/PATCH/DELETE, query string for GET; snake_case or lowerCamelCase names; int64 as
// number or decimal string; doubles also as "NaN"/"Infinity"; enums by name or number.
// Errors throw core::MlflowError(INVALID_PARAMETER_VALUE) with MLflow's messages.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/http_types.hpp"

namespace sextant::api {

// Largest value of an int32 field of MLflow's protos (max_results of most searches).
inline constexpr std::int64_t kMaxInt32 = 2147483647;

class Params {
 public:
  // Builds the field view of a request (applies the GET/body rules and the Content-Type check).
  explicit Params(const ApiRequest& request);
  ~Params();
  Params(const Params&) = delete;
  Params& operator=(const Params&) = delete;

  // nullptr when absent (or JSON null).
  const nlohmann::json* raw(std::string_view name) const;
  std::optional<std::string> str(std::string_view name) const;
  // Missing or empty -> "Missing value for required parameter 'name'. ..."
  std::string required_str(std::string_view name) const;
  std::optional<std::int64_t> int64(std::string_view name) const;
  std::optional<double> number(std::string_view name) const;
  std::optional<bool> boolean(std::string_view name) const;
  std::vector<std::string> str_list(std::string_view name) const;
  // run_id, falling back to run_uuid, required.
  std::string run_id() const;

  const nlohmann::json& object() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Field helpers for nested JSON objects (log-batch entries etc.), same coercions.
std::optional<std::string> json_str(const nlohmann::json& obj, std::string_view name);
std::optional<std::int64_t> json_int64(const nlohmann::json& obj, std::string_view name, std::string_view path);
std::optional<double> json_double(const nlohmann::json& obj, std::string_view name, std::string_view path);
const nlohmann::json* json_field(const nlohmann::json& obj, std::string_view name);

[[noreturn]] void throw_missing(std::string_view name);
// MLflow's schema-type refusal (handlers._validate_param_against_schema): "Invalid value 31 for
// parameter 'run_id' supplied:  Hint: Value was of type 'int'. See the API docs ...", the value
// as json.dumps renders it (excerpt_json). Every "wrong JSON type" refusal goes through here.
[[noreturn]] void throw_invalid_type(const nlohmann::json& value, std::string_view name);
// A JSON list field (absent: empty list), else throw_invalid_type.
const nlohmann::json& json_list(const nlohmann::json* value, std::string_view name);
// Refuses a value above kMaxInt32 for an int32 field (before any arithmetic on it).
void check_int32(std::int64_t value, std::string_view name);

}  // namespace sextant::api
