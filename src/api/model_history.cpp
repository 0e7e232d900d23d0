#include "api/model_history.hpp"

#include <cstdio>
#include <ctime>
#include <set>

#include "api/request_json.hpp"
#include "core/error.hpp"
#include "core/validation.hpp"
#include "util/python_json.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::ordered_json;

namespace {

// Python's str() of a scalar (Model.__init__ stores str(utc_time_created)).
std::string created_text(const ordered_json& v) {
  if (auto text = util::python_str(v)) return *text;
  core::throw_invalid("Model json field 'utc_time_created' must be a string or a number.");
}

}  // namespace

std::string python_utc_timestamp(std::int64_t unix_micros) {
  std::time_t secs = static_cast<std::time_t>(unix_micros / 1'000'000);
  auto micros = static_cast<long>(unix_micros % 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = buf;
  if (micros != 0) {
    std::snprintf(buf, sizeof buf, ".%06ld", micros);
    out += buf;
  }
  return out;
}

ordered_json logged_model_entry(std::string_view model_json, const std::string& now_utc) {
  ordered_json model = decode_request_json_ordered(model_json);
  if (model.is_discarded() || !model.is_object()) {
    std::string what = model.is_discarded() ? "is not a valid JSON." : "is not a JSON object.";
    core::throw_invalid("Malformed model info. \n " + excerpt(nlohmann::json(std::string(model_json))) + " \n " + what);
  }
  // MLflow prints a Python set (in hash order); the names are listed sorted here.
  std::set<std::string> missing;
  for (const char* field : {"artifact_path", "flavors", "utc_time_created", "run_id"})
    if (!model.contains(field)) missing.insert(field);
  if (!missing.empty()) {
    std::string list;
    for (const auto& f : missing) list += (list.empty() ? "'" : ", '") + f + "'";
    core::throw_invalid("Model json is missing mandatory fields: {" + list + "}");
  }
  ordered_json entry = ordered_json::object();
  if (!model["run_id"].is_null()) entry["run_id"] = model["run_id"];
  if (!model["artifact_path"].is_null()) entry["artifact_path"] = model["artifact_path"];
  const auto& created = model["utc_time_created"];
  entry["utc_time_created"] = !util::python_truthy(created) ? now_utc : created_text(created);
  entry["model_uuid"] = model.contains("model_uuid") ? model["model_uuid"] : ordered_json(nullptr);
  const auto& flavors = model["flavors"];
  if (!flavors.is_null() && !flavors.is_object()) core::throw_invalid("Model json field 'flavors' must be a JSON object.");
  ordered_json kept = ordered_json::object();
  if (flavors.is_object()) {
    for (const auto& [name, config] : flavors.items()) {
      if (!config.is_object()) {
        kept[name] = config;
        continue;
      }
      ordered_json c = ordered_json::object();
      for (const auto& [k, v] : config.items())
        if (k != "config") c[k] = v;
      kept[name] = std::move(c);
    }
  }
  entry["flavors"] = std::move(kept);
  return entry;
}

std::string appended_model_history(const std::optional<std::string>& previous, const ordered_json& entry) {
  ordered_json history = ordered_json::array();
  if (previous) {
    history = decode_request_json_ordered(*previous);
    if (history.is_discarded() || !history.is_array()) {
      core::throw_invalid(std::string("The run's tag ") + kLoggedModelsTag + " does not hold a JSON list.");
    }
  }
  history.push_back(entry);
  std::string value = util::python_json_dumps(history);
  // ensure_ascii output: bytes are characters. MLflow's SQLite store would keep a longer value,
  // its PostgreSQL and MySQL stores fail on the column width; Sextant refuses on every backend.
  if (value.size() > core::limits::kMaxTagValue) {
    core::throw_invalid("'value' exceeds the maximum length of " + std::to_string(core::limits::kMaxTagValue) +
                        " characters");
  }
  return value;
}

}  // namespace sextant::api
