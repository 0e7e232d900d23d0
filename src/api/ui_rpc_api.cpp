// The RPCs MLflow's web UI calls under <prefix>/ajax-api/2.0/mlflow only (mlflow/server/__init__.py):
// upload-artifact (a raw body into a run's artifacts), runs/create-promptlab-run (the prompt
// engineering UI's run, its params, tags, model history, model files and evaluation table) and
// gateway-proxy (as MLflow answers without MLFLOW_DEPLOYMENTS_TARGET: an empty gateway).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>

#include "api/artifact_access.hpp"
#include "api/entity_parsing.hpp"
#include "api/json_codec.hpp"
#include "api/model_history.hpp"
#include "api/params.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "artifacts/artifact_path.hpp"
#include "artifacts/byte_source.hpp"
#include "core/error.hpp"
#include "util/python_json.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"

namespace sextant::api {

using nlohmann::ordered_json;

namespace {

// MLflow's limit for upload-artifact bodies.
constexpr std::uint64_t kMaxUploadBytes = 10 * 1024 * 1024;
const char* const kUploadTooLarge = "Artifact size is too large. Max size is 10MB.";

std::string query_arg(const ApiRequest& req, std::string_view name) {
  for (const auto& [k, v] : req.query)
    if (k == name) return v;
  return {};
}

// The request body, refused once it passes kMaxUploadBytes; the first chunk is read up front so
// an empty body is refused before anything is written.
class CappedUpload final : public artifacts::ByteSource {
 public:
  explicit CappedUpload(artifacts::ByteSource& body) : body_(body), first_(64 * 1024, '\0') {
    first_.resize(fill(first_.data(), first_.size()));
  }
  bool empty() const { return first_.empty(); }
  std::size_t read(char* buffer, std::size_t size) override {
    if (offset_ < first_.size()) {
      std::size_t n = std::min(size, first_.size() - offset_);
      std::memcpy(buffer, first_.data() + offset_, n);
      offset_ += n;
      return n;
    }
    return fill(buffer, size);
  }

 private:
  std::size_t fill(char* buffer, std::size_t size) {
    std::size_t n = body_.read(buffer, size);
    total_ += n;
    if (total_ > kMaxUploadBytes) core::throw_invalid(kUploadTooLarge);
    return n;
  }
  artifacts::ByteSource& body_;
  std::string first_;
  std::size_t offset_ = 0;
  std::uint64_t total_ = 0;
};

void write_text(const ArtifactRoot& root, const std::string& relative, std::string text) {
  artifacts::StringSource source(std::move(text));
  root.repo->write(join_artifact_path(root.base, relative), source);
}

// --- create-promptlab-run ------------------------------------------------------------------

struct PromptParam {
  std::string key;
  std::string value;  // Python's str() of the value sent
};

const ordered_json& required(const ordered_json& args, const char* name) {
  auto it = args.find(name);
  const ordered_json* v = it == args.end() ? nullptr : &*it;
  if (!v || !util::python_truthy(*v)) core::throw_invalid(std::string("CreatePromptlabRun request must specify ") + name + ".");
  return *v;
}

std::string scalar_text(const ordered_json& v, const std::string& field) {
  auto text = util::python_str(v);
  if (!text) core::throw_invalid("Invalid value for parameter '" + field + "': expected a string or a number.");
  return *text;
}

std::vector<PromptParam> param_list(const ordered_json& args, const char* name) {
  std::vector<PromptParam> out;
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return out;
  if (!it->is_array()) core::throw_invalid(std::string("Invalid value for parameter '") + name + "': expected a list");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& item = (*it)[i];
    std::string path = std::string(name) + "[" + std::to_string(i) + "]";
    if (!item.is_object()) core::throw_invalid("Invalid value for parameter '" + path + "': expected an object");
    auto key = item.find("key");
    auto value = item.find("value");
    if (key == item.end() || !key->is_string()) throw_missing(path + ".key");
    out.push_back({key->get<std::string>(), scalar_text(value == item.end() ? ordered_json(nullptr) : *value, path + ".value")});
  }
  return out;
}

// MLflow's eval_results_table.json: one row of prompt parameters, prompt, output and output
// parameters.
std::string eval_results_table(const std::vector<PromptParam>& prompt_params, const ordered_json& model_input,
                               const ordered_json& model_output, const std::vector<PromptParam>& output_params) {
  ordered_json columns = ordered_json::array();
  ordered_json row = ordered_json::array();
  for (const auto& p : prompt_params) {
    columns.push_back(p.key);
    row.push_back(p.value);
  }
  columns.push_back("prompt");
  columns.push_back("output");
  row.push_back(model_input);
  row.push_back(model_output);
  for (const auto& p : output_params) {
    columns.push_back(p.key);
    row.push_back(p.value);
  }
  ordered_json table = ordered_json::object();
  table["columns"] = std::move(columns);
  table["data"] = ordered_json::array();
  table["data"].push_back(std::move(row));
  return util::python_json_dumps(table);
}

// The promptlab model's files under model/ as mlflow.prompt.promptlab_model.save_model lays
// them out: MLmodel (its keys in yaml.safe_dump's sorted order, written as JSON, which YAML reads),
// parameters.yaml (likewise), requirements.txt, input_example.json and serving_input_example.json;
// without conda.yaml / python_env.yaml and the flavor's python_version, which describe the Python
// of MLflow's own server process.
void write_promptlab_model(const ArtifactRoot& root, const ordered_json& history_entry, const std::string& version,
                           const std::string& prompt_template, const std::vector<PromptParam>& prompt_params,
                           const std::vector<PromptParam>& model_params, const std::string& model_route) {
  auto dict = [](const std::vector<PromptParam>& ps) {
    ordered_json d = ordered_json::object();
    for (const auto& p : ps) d[p.key] = p.value;
    return d;
  };
  ordered_json inputs = ordered_json::array();
  ordered_json example_values = ordered_json::array();
  for (const auto& p : prompt_params) {
    inputs.push_back({{"type", "string"}, {"name", p.key}, {"required", true}});
    example_values.push_back(p.value);
  }
  ordered_json outputs = ordered_json::array();
  outputs.push_back({{"type", "string"}, {"name", "output"}, {"required", true}});
  ordered_json mlmodel = {
      {"artifact_path", "model"},
      {"flavors",
       {{"python_function",
         {{"loader_module", "mlflow.prompt.promptlab_model"}, {"parameters_path", "parameters.yaml"}}}}},
      {"is_signature_from_type_hint", false},
      {"mlflow_version", version},
      {"model_id", nullptr},
      {"model_uuid", history_entry["model_uuid"]},
      {"prompts", nullptr},
      {"run_id", history_entry["run_id"]},
      {"saved_input_example_info",
       {{"artifact_path", "input_example.json"}, {"serving_input_path", "serving_input_example.json"}, {"type", "json_object"}}},
      {"signature",
       {{"inputs", util::python_json_dumps(inputs)}, {"outputs", util::python_json_dumps(outputs)}, {"params", nullptr}}},
      {"type_hint_from_example", false},
      {"utc_time_created", history_entry["utc_time_created"]}};
  write_text(root, "model/MLmodel", util::python_json_dumps(mlmodel) + "\n");
  ordered_json parameters = {{"model_parameters", dict(model_params)},
                             {"model_route", model_route},
                             {"prompt_parameters", dict(prompt_params)},
                             {"prompt_template", prompt_template}};
  write_text(root, "model/parameters.yaml", util::python_json_dumps(parameters) + "\n");
  write_text(root, "model/requirements.txt", "mlflow[gateway]==" + version);
  ordered_json example = ordered_json::object();
  example["inputs"] = std::move(example_values);
  write_text(root, "model/input_example.json", util::python_json_dumps(example));
  ordered_json serving = ordered_json::object();
  serving["inputs"] = std::move(example);
  write_text(root, "model/serving_input_example.json", util::python_json_dumps(serving, 2));
}

}  // namespace

void register_ui_rpc_routes(RpcRegistrar& reg, Services& s) {
  auto& router = reg.router();
  const std::string base = s.settings.static_prefix + "/ajax-api/2.0/mlflow";

  // A raw body (any type but the form encodings; none when not cross-site: auth::Gate) becomes
  // <run artifacts>/<path>.
  router.add(
      "POST", base + "/upload-artifact", auth::Policy::Authenticated,
      [&s](const ApiRequest& req) {
        auto run_id = query_arg(req, "run_uuid");
        if (run_id.empty()) core::throw_invalid("Request must specify run_uuid.");
        auto raw_path = query_arg(req, "path");
        if (raw_path.empty()) core::throw_invalid("Request must specify path.");
        auto path = artifacts::canonical_artifact_path(raw_path, artifacts::PathKind::File);
        if (req.body_stream && req.body_stream->size() && *req.body_stream->size() > kMaxUploadBytes) {
          core::throw_invalid(kUploadTooLarge);
        }
        if (!req.body_stream) core::throw_invalid("Request must specify data.");
        CappedUpload body(*req.body_stream);
        if (body.empty()) core::throw_invalid("Request must specify data.");
        auto run = s.tracking.get_run(run_id);
        auto root = locate_artifact_root(s, run.info.artifact_uri);
        root.repo->write(join_artifact_path(root.base, path), body);
        return ApiResponse::json("");
      },
      /*streaming=*/true);

  reg.ajax_only("POST", "/runs/create-promptlab-run", [&s](const ApiRequest& req) {
    Params content_type_check(req);
    ordered_json args = decode_request_json_ordered(req.body);
    if (!args.is_object()) args = ordered_json::object();
    store::NewRun run;
    run.experiment_id = scalar_text(required(args, "experiment_id"), "experiment_id");
    auto run_name_it = args.find("run_name");
    std::string run_name = run_name_it == args.end() || run_name_it->is_null() ? "" : scalar_text(*run_name_it, "run_name");
    if (auto tags = args.find("tags"); tags != args.end() && !tags->is_null()) {
      if (!tags->is_array()) core::throw_invalid("Invalid value for parameter 'tags': expected a list");
      for (std::size_t i = 0; i < tags->size(); ++i)
        run.tags.push_back(parse_run_tag(nlohmann::json::parse((*tags)[i].dump()), "tags[" + std::to_string(i) + "]"));
    }
    auto prompt_template = scalar_text(required(args, "prompt_template"), "prompt_template");
    required(args, "prompt_parameters");
    auto prompt_params = param_list(args, "prompt_parameters");
    auto model_route = scalar_text(required(args, "model_route"), "model_route");
    auto model_params = param_list(args, "model_parameters");
    const auto& model_input = required(args, "model_input");
    ordered_json model_output = args.value("model_output", ordered_json(nullptr));
    auto output_params = param_list(args, "model_output_parameters");
    required(args, "mlflow_version");
    auto user_it = args.find("user_id");
    run.user_id = user_it == args.end() ? "unknown" : scalar_text(*user_it, "user_id");
    auto start_it = args.find("start_time");
    if (start_it != args.end() && !start_it->is_number_integer()) {
      core::throw_invalid("Invalid value for parameter 'start_time': expected an integer");
    }
    run.start_time = start_it == args.end() ? util::now_ms() : start_it->get<std::int64_t>();
    resolve_run_name(run, run_name);
    auto created = s.tracking.create_run(run);
    const auto& run_id = created.info.run_id;

    // As MLflow: anything failing after the run exists marks it FAILED (the answer is still the run).
    std::string status = "FINISHED";
    try {
      std::vector<core::Param> params;
      for (const auto& p : model_params) params.push_back(validated_param(p.key, p.value, "params"));
      params.push_back(validated_param("model_route", model_route, "params"));
      params.push_back(validated_param("prompt_template", prompt_template, "params"));
      std::vector<core::Tag> tags = {{"mlflow.loggedArtifacts", R"([{"path": "eval_results_table.json", "type": "table"}])"},
                                     {"mlflow.runSourceType", "PROMPT_ENGINEERING"}};
      s.tracking.log_batch(run_id, {}, params, tags);
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
      ordered_json entry = {{"run_id", run_id},
                            {"artifact_path", "model"},
                            {"utc_time_created", python_utc_timestamp(micros)},
                            {"model_uuid", util::uuid4_hex()},
                            {"flavors", ordered_json::object()}};
      s.tracking.update_tag(run_id, kLoggedModelsTag,
                            [&entry](const std::optional<std::string>& previous) { return appended_model_history(previous, entry); });
      auto root = locate_artifact_root(s, created.info.artifact_uri);
      write_promptlab_model(root, entry, s.settings.version, prompt_template, prompt_params, model_params, model_route);
      write_text(root, "eval_results_table.json", eval_results_table(prompt_params, model_input, model_output, output_params));
    } catch (const std::exception&) {
      status = "FAILED";
    }
    store::RunUpdate update;
    update.status = status;
    update.end_time = util::now_ms();
    s.tracking.update_run(run_id, update);
    return ApiResponse::json(nlohmann::json{{"run", to_json(s.tracking.get_run(run_id))}}.dump());
  });

  // MLflow without MLFLOW_DEPLOYMENTS_TARGET: "Pretend an empty gateway service is running".
  for (const char* method : {"GET", "POST"}) {
    router.add(method, base + "/gateway-proxy", auth::Policy::Authenticated,
               [](const ApiRequest&) { return ApiResponse::json(R"({"endpoints":[]})"); });
  }
}

}  // namespace sextant::api
