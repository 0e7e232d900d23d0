#include "core/evaluation_dataset.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "util/hmac.hpp"
#include "util/python_json.hpp"
#include "util/random_id.hpp"

namespace sextant::core {

using nlohmann::ordered_json;

namespace {

constexpr const char* kWrappedOutput = "mlflow_wrapped";
constexpr std::size_t kSourceIdColumn = 36;
constexpr std::array<std::string_view, 5> kSourceTypes = {"UNSPECIFIED", "TRACE", "HUMAN", "DOCUMENT", "CODE"};

// Python's json.dumps(value, sort_keys=True) orders keys by code point, which for UTF-8 strings
// is their byte order.
ordered_json sorted_keys(const ordered_json& v) {
  if (v.is_array()) {
    ordered_json out = ordered_json::array();
    for (const auto& item : v) out.push_back(sorted_keys(item));
    return out;
  }
  if (!v.is_object()) return v;
  std::vector<std::pair<std::string, const ordered_json*>> members;
  for (const auto& [key, item] : v.items()) members.emplace_back(key, &item);
  std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  ordered_json out = ordered_json::object();
  for (const auto& [key, item] : members) out[key] = sorted_keys(*item);
  return out;
}

// A stored JSON column, tolerant: nullopt for SQL NULL, JSON null and text that is not JSON.
std::optional<ordered_json> stored_json(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto v = ordered_json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded() || v.is_null()) return std::nullopt;
  return v;
}

std::optional<std::string> json_column(const ordered_json& v) {
  if (v.is_null()) return std::nullopt;
  return util::python_json_dumps(v);
}

[[noreturn]] void invalid_record(std::size_t index, const std::string& what) {
  throw_invalid("Invalid value for parameter 'records': records[" + std::to_string(index) + "]" + what);
}

const ordered_json* member(const ordered_json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

// An optional object member: absent or null -> null.
ordered_json object_or_null(const ordered_json& record, const char* name, std::size_t index) {
  const ordered_json* v = member(record, name);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_object()) invalid_record(index, std::string(".") + name + " must be an object");
  return *v;
}

ordered_json checked_source(const ordered_json& record, std::size_t index) {
  const ordered_json* v = member(record, "source");
  if (!v || v->is_null() || (v->is_object() && v->empty())) return nullptr;  // MLflow: falsy -> no source
  if (!v->is_object()) invalid_record(index, ".source must be an object");
  for (const auto& [key, _] : v->items()) {
    if (key != "source_type" && key != "source_data") {
      invalid_record(index, ".source has the unknown field '" + key + "' (source_type, source_data)");
    }
  }
  const ordered_json* type = member(*v, "source_type");
  if (!type || !type->is_string()) invalid_record(index, ".source.source_type must be a string");
  std::string upper = type->get<std::string>();
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (std::find(kSourceTypes.begin(), kSourceTypes.end(), upper) == kSourceTypes.end()) {
    throw_invalid("Invalid dataset record source type: " + upper +
                  ". Valid source types: ['UNSPECIFIED', 'TRACE', 'HUMAN', 'DOCUMENT', 'CODE']");
  }
  const ordered_json* data = member(*v, "source_data");
  if (data && !data->is_null() && !data->is_object()) invalid_record(index, ".source.source_data must be an object");
  ordered_json out = ordered_json::object();
  out["source_type"] = upper;
  out["source_data"] = data && data->is_object() ? *data : ordered_json::object();
  return out;
}

std::optional<std::string> user_of(const ordered_json& tags) {
  if (!tags.is_object()) return std::nullopt;
  auto it = tags.find(kMlflowUserTag);
  if (it == tags.end() || it->is_null()) return std::nullopt;
  return util::python_str(*it);
}

// The source's id (MLflow's DatasetRecord.__post_init__): trace_id for TRACE, else source_id.
std::optional<std::string> source_id_of(const ordered_json& source) {
  if (!source.is_object()) return std::nullopt;
  auto data = source.find("source_data");
  if (data == source.end() || !data->is_object()) return std::nullopt;
  auto type = source.find("source_type");
  const char* key = type != source.end() && *type == "TRACE" ? "trace_id" : "source_id";
  auto id = data->find(key);
  if (id == data->end() || !id->is_string()) return std::nullopt;
  return id->get<std::string>();
}

// Shallow dict.update of a stored object column.
std::string merged_object(const std::optional<std::string>& stored, const ordered_json& update) {
  ordered_json base = stored_json(stored).value_or(ordered_json::object());
  if (!base.is_object()) base = ordered_json::object();
  for (const auto& [key, value] : update.items()) base[key] = value;
  return util::python_json_dumps(base);
}

// MLflow's _infer_field_type.
const char* field_type(const ordered_json& v) {
  switch (v.type()) {
    case ordered_json::value_t::null: return "null";
    case ordered_json::value_t::boolean: return "boolean";
    case ordered_json::value_t::number_integer:
    case ordered_json::value_t::number_unsigned: return "integer";
    case ordered_json::value_t::number_float: return "float";
    case ordered_json::value_t::string: return "string";
    case ordered_json::value_t::array: return "array";
    case ordered_json::value_t::object: return "object";
    default: return "unknown";
  }
}

void add_new_keys(ordered_json& section, const ordered_json& values) {
  if (!section.is_object() || !values.is_object()) return;
  for (const auto& [key, value] : values.items()) {
    if (!section.contains(key)) section[key] = field_type(value);
  }
}

}  // namespace

RecordUpsert parse_record_upsert(const ordered_json& element, std::size_t index) {
  if (!element.is_object()) invalid_record(index, " must be an object");
  RecordUpsert r;
  if (const ordered_json* inputs = member(element, "inputs")) {
    if (!inputs->is_object()) invalid_record(index, ".inputs must be an object");
    r.inputs = *inputs;
  }
  if (const ordered_json* outputs = member(element, "outputs")) {
    r.has_outputs = true;
    r.outputs = *outputs;
  }
  r.expectations = object_or_null(element, "expectations", index);
  r.tags = object_or_null(element, "tags", index);
  r.source = checked_source(element, index);
  return r;
}

std::string record_input_hash(const ordered_json& inputs) {
  return util::sha256_hex(util::python_json_dumps(sorted_keys(inputs)));
}

std::optional<std::string> record_user(const RecordUpsert& r) { return user_of(r.tags); }

DatasetRecord new_dataset_record(const std::string& dataset_id, const RecordUpsert& r, std::int64_t now) {
  DatasetRecord row;
  row.dataset_record_id = "dr-" + util::uuid4_hex();
  row.dataset_id = dataset_id;
  row.inputs = util::python_json_dumps(r.inputs);
  ordered_json outputs = r.has_outputs ? r.outputs : ordered_json::object();
  if (!outputs.is_null()) row.outputs = util::python_json_dumps(ordered_json{{kWrappedOutput, outputs}});
  row.expectations = json_column(r.expectations);
  row.tags = json_column(r.tags);
  row.source = json_column(r.source);
  if (!r.source.is_null()) {
    row.source_type = r.source["source_type"].get<std::string>();
    // The column holds 36 characters; a longer id is derived from `source` when read.
    if (auto id = source_id_of(r.source); id && id->size() <= kSourceIdColumn) row.source_id = id;
  }
  row.created_time = row.last_update_time = now;
  row.created_by = row.last_updated_by = user_of(r.tags);
  row.input_hash = record_input_hash(r.inputs);
  return row;
}

void merge_dataset_record(DatasetRecord& row, const RecordUpsert& r, std::int64_t now) {
  if (r.has_outputs) {
    row.outputs = r.outputs.is_null() ? std::nullopt
                                      : std::optional(util::python_json_dumps(ordered_json{{kWrappedOutput, r.outputs}}));
  }
  if (util::python_truthy(r.expectations)) row.expectations = merged_object(row.expectations, r.expectations);
  if (util::python_truthy(r.tags)) row.tags = merged_object(row.tags, r.tags);
  row.last_update_time = now;
  if (auto user = user_of(r.tags)) row.last_updated_by = user;
}

std::optional<std::string> updated_dataset_schema(const std::optional<std::string>& stored,
                                                  const std::vector<RecordUpsert>& records) {
  auto existing = stored_json(stored);
  if (records.empty() && !existing) return std::nullopt;
  ordered_json schema;
  if (existing && existing->is_object()) {
    schema = *existing;
  } else {
    schema = {{"inputs", ordered_json::object()},
              {"outputs", ordered_json::object()},
              {"expectations", ordered_json::object()},
              {"version", "1.0"}};
  }
  for (const char* section : {"inputs", "outputs", "expectations"}) {
    if (!schema.contains(section)) schema[section] = ordered_json::object();
  }
  for (const auto& r : records) {
    add_new_keys(schema["inputs"], r.inputs);
    if (r.has_outputs && !r.outputs.is_null()) {
      if (r.outputs.is_object()) {
        add_new_keys(schema["outputs"], r.outputs);
      } else if (!util::python_truthy(schema["outputs"])) {
        schema["outputs"] = field_type(r.outputs);
      }
    }
    add_new_keys(schema["expectations"], r.expectations);
  }
  return util::python_json_dumps(schema);
}

std::string dataset_digest(const std::string& name, std::int64_t time_ms) {
  return util::sha256_hex(name + ":" + std::to_string(time_ms)).substr(0, 8);
}

ordered_json dataset_record_to_json(const DatasetRecord& row) {
  ordered_json out = ordered_json::object();
  out["dataset_record_id"] = row.dataset_record_id;
  out["dataset_id"] = row.dataset_id;
  out["inputs"] = stored_json(row.inputs).value_or(ordered_json::object());
  if (auto outputs = stored_json(row.outputs); outputs && outputs->is_object() && !outputs->empty()) {
    auto it = outputs->find(kWrappedOutput);
    if (it != outputs->end() && !it->is_null()) out["outputs"] = *it;
  }
  if (auto expectations = stored_json(row.expectations)) out["expectations"] = *expectations;
  out["tags"] = stored_json(row.tags).value_or(ordered_json::object());
  auto source = stored_json(row.source);
  if (source && source->is_object() && !source->empty()) {
    ordered_json shown = ordered_json::object();
    auto type = source->find("source_type");
    std::string type_name = type != source->end() && type->is_string() ? type->get<std::string>() : "UNSPECIFIED";
    shown["source_type"] = type_name;
    auto data = source->find("source_data");
    shown["source_data"] = data != source->end() && data->is_object() ? *data : ordered_json::object();
    out["source"] = shown;
    auto id = row.source_id ? row.source_id : source_id_of(shown);
    if (id) out["source_id"] = *id;
    // The proto enum's name; MLflow's UNSPECIFIED is SOURCE_TYPE_UNSPECIFIED there.
    out["source_type"] = type_name == "UNSPECIFIED" ? "SOURCE_TYPE_UNSPECIFIED" : type_name;
  } else if (row.source_id) {
    out["source_id"] = *row.source_id;
  }
  out["created_time"] = row.created_time;
  out["last_update_time"] = row.last_update_time;
  if (row.created_by) out["created_by"] = *row.created_by;
  if (row.last_updated_by) out["last_updated_by"] = *row.last_updated_by;
  return out;
}

}  // namespace sextant::core
