#include "otlp/token_usage.hpp"

#include <cstdint>

#include "util/python_json.hpp"
#include "util/python_json_loads.hpp"

namespace sextant::otlp {

namespace {

using json = nlohmann::ordered_json;

constexpr const char* kKeys[] = {"input_tokens", "output_tokens", "total_tokens"};

bool numeric(const json& v) { return v.is_number() || v.is_boolean(); }

// Python's a + b over ints, floats and bools (True == 1); ints that overflow become floats.
json add(const json& a, const json& b) {
  auto as_int = [](const json& v) -> std::int64_t {
    if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
    return v.get<std::int64_t>();
  };
  bool ints = (a.is_number_integer() || a.is_boolean()) && (b.is_number_integer() || b.is_boolean());
  if (ints) {
    std::int64_t sum = 0;
    if (!__builtin_add_overflow(as_int(a), as_int(b), &sum)) return json(sum);
  }
  auto as_double = [](const json& v) { return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>(); };
  return json(as_double(a) + as_double(b));
}

}  // namespace

std::optional<std::string> add_token_usage(const std::optional<std::string>& current, const std::string& addend) {
  json total = json::object();
  if (current) {
    auto r = util::python_json_loads(*current);
    if (r.status == util::PythonJsonLoad::Status::Ok && r.value.is_object()) total = std::move(r.value);
  }
  auto r = util::python_json_loads(addend);
  bool usable = r.status == util::PythonJsonLoad::Status::Ok && r.value.is_object() && !r.value.empty();
  if (usable) {
    for (const char* k : kKeys) {
      if (r.value.contains(k) && !numeric(r.value[k])) usable = false;
    }
  }
  if (usable) {
    for (const char* k : kKeys) {
      json mine = total.contains(k) && numeric(total[k]) ? total[k] : json(0);
      json theirs = r.value.contains(k) ? r.value[k] : json(0);
      total[k] = add(mine, theirs);
    }
  }
  if (total.empty()) return std::nullopt;
  return util::python_json_dumps(total);
}

}  // namespace sextant::otlp
