#include "api/graphql_schema.hpp"

#include "graphql/introspection.hpp"

#include <initializer_list>
#include <stdexcept>
#include <utility>

namespace sextant::api {

using graphql::FieldDef;
using graphql::InputValueDef;
using graphql::TypeDef;
using graphql::TypeRef;
using nlohmann::json;
using TypePtr = std::shared_ptr<const TypeRef>;

namespace {

TypePtr T(const char* name) { return graphql::named_type(name); }
TypePtr L(TypePtr of) { return graphql::list_type(std::move(of)); }
TypePtr LNN(const char* name) { return graphql::list_type(graphql::non_null_type(T(name))); }

FieldDef F(const std::string& snake, TypePtr type) {
  FieldDef f;
  f.name = graphql::camel_case(snake);
  f.key = snake;
  f.type = std::move(type);
  return f;
}

InputValueDef I(const std::string& snake, TypePtr type) { return {graphql::camel_case(snake), snake, std::move(type)}; }

TypeDef object(const char* name, std::vector<FieldDef> fields) {
  TypeDef t;
  t.kind = TypeDef::Kind::Object;
  t.name = name;
  t.fields = std::move(fields);
  return t;
}

TypeDef input(const char* name, std::vector<InputValueDef> fields) {
  TypeDef t;
  t.kind = TypeDef::Kind::InputObject;
  t.name = name;
  t.input_fields = std::move(fields);
  return t;
}

TypeDef enumeration(const char* name, std::initializer_list<const char*> values) {
  TypeDef t;
  t.kind = TypeDef::Kind::Enum;
  t.name = name;
  for (const auto* v : values) t.enum_values.emplace_back(v);
  return t;
}

// MLflow's response messages carry no apiError member: graphene reads it as null.
FieldDef api_error() {
  auto f = F("apiError", T("ApiError"));
  f.proto_default = false;
  return f;
}

// A root field resolved by a REST route with the `input` argument as its request, as MLflow's
// resolve_* passes vars(input) to the handler's *_impl. Messages for a missing or null input
// are the ones MLflow's Python raises.
FieldDef rpc_field(const std::string& snake, const char* response, const char* input_type, const std::string& owner,
                   std::string method, std::string path) {
  auto f = F(snake, T(response));
  f.args = {I("input", T(input_type))};
  f.resolve = [owner, snake, method = std::move(method), path = std::move(path)](const json&, const json& args,
                                                                                 graphql::ResolveContext& ctx) -> json {
    auto it = args.find("input");
    if (it == args.end())
      throw std::runtime_error(owner + ".resolve_" + snake + "() missing 1 required positional argument: 'input'");
    if (it->is_null()) throw std::runtime_error("vars() argument must have __dict__ attribute");
    return static_cast<MlflowRpc&>(ctx).call(method, path, *it);
  };
  return f;
}

// `test` / `testMutation` (inputString: String): MLflow echoes the input in `test`; its
// `testMutation` resolver is never bound (resolve_test_mutation vs testMutation), so it is null.
FieldDef echo_field(const char* name, const char* type, bool bound) {
  auto f = F(name, T(type));
  f.name = name;
  f.args = {I("input_string", T("String"))};
  f.resolve = [bound](const json&, const json& args, graphql::ResolveContext& ctx) -> json {
    if (!bound) return nullptr;
    auto it = args.find("input_string");
    if (it == args.end())
      throw std::runtime_error("Query.resolve_test() missing 1 required positional argument: 'input_string'");
    // An echo of the client's own (up to --max-request-body) text, once per alias: counted as an answer.
    static_cast<MlflowRpc&>(ctx).charge(it->is_string() ? it->get_ref<const std::string&>().size() : 16);
    return json{{"output", *it}};
  };
  return f;
}

std::string run_info_member(const json& run, const char* key) {
  if (!run.is_object() || !run.contains("info") || !run["info"].is_object()) return "";
  auto it = run["info"].find(key);
  return it != run["info"].end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

graphql::Schema build_mlflow_graphql_schema() {
  graphql::Schema s;
  s.query_type = "Query";
  s.mutation_type = "Mutation";
  {
    TypeDef t;
    t.kind = TypeDef::Kind::Scalar;
    t.name = "LongString";
    t.scalar = graphql::ScalarKind::LongString;
    s.add(std::move(t));
  }
  s.add(graphql::DirectiveDef{"component", {{"name", "name", graphql::non_null_type(T("String"))}}, {"QUERY", "MUTATION"}});

  s.add(enumeration("MlflowDeploymentJobConnectionState",
                    {"DEPLOYMENT_JOB_CONNECTION_STATE_UNSPECIFIED", "NOT_SET_UP", "CONNECTED", "NOT_FOUND",
                     "REQUIRED_PARAMETERS_CHANGED"}));
  s.add(enumeration("MlflowModelVersionDeploymentJobStateDeploymentJobRunState",
                    {"DEPLOYMENT_JOB_RUN_STATE_UNSPECIFIED", "NO_VALID_DEPLOYMENT_JOB_FOUND", "RUNNING", "SUCCEEDED",
                     "FAILED", "PENDING", "APPROVAL"}));
  s.add(enumeration("MlflowModelVersionStatus", {"PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"}));
  s.add(enumeration("MlflowRunStatus", {"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"}));
  s.add(enumeration("MlflowViewType", {"ACTIVE_ONLY", "DELETED_ONLY", "ALL"}));

  s.add(object("ErrorDetail", {F("field", T("String")), F("message", T("String"))}));
  s.add(object("ApiError", {F("code", T("String")), F("message", T("String")), F("help_url", T("String")),
                            F("trace_id", T("String")), F("error_details", L(T("ErrorDetail")))}));
  {
    auto output = F("output", T("String"));  // a plain dict in MLflow: no protobuf defaults
    output.proto_default = false;
    s.add(object("Test", {output}));
    s.add(object("TestMutation", {output}));
  }

  s.add(object("MlflowModelVersionDeploymentJobState",
               {F("job_id", T("String")), F("run_id", T("String")),
                F("job_state", T("MlflowDeploymentJobConnectionState")),
                F("run_state", T("MlflowModelVersionDeploymentJobStateDeploymentJobRunState")),
                F("current_task_name", T("String"))}));
  s.add(object("MlflowModelMetric", {F("key", T("String")), F("value", T("Float")), F("timestamp", T("LongString")),
                                     F("step", T("LongString")), F("dataset_name", T("String")),
                                     F("dataset_digest", T("String")), F("model_id", T("String")),
                                     F("run_id", T("String"))}));
  s.add(object("MlflowModelParam", {F("name", T("String")), F("value", T("String"))}));
  s.add(object("MlflowModelVersionTag", {F("key", T("String")), F("value", T("String"))}));
  s.add(object("MlflowModelVersion",
               {F("name", T("String")), F("version", T("String")), F("creation_timestamp", T("LongString")),
                F("last_updated_timestamp", T("LongString")), F("user_id", T("String")),
                F("current_stage", T("String")), F("description", T("String")), F("source", T("String")),
                F("run_id", T("String")), F("status", T("MlflowModelVersionStatus")),
                F("status_message", T("String")), F("tags", LNN("MlflowModelVersionTag")),
                F("run_link", T("String")), F("aliases", L(T("String"))), F("model_id", T("String")),
                F("model_params", LNN("MlflowModelParam")), F("model_metrics", LNN("MlflowModelMetric")),
                F("deployment_job_state", T("MlflowModelVersionDeploymentJobState"))}));
  s.add(object("MlflowSearchModelVersionsResponse", {F("model_versions", LNN("MlflowModelVersion")),
                                                     F("next_page_token", T("String")), api_error()}));
  s.add(object("MlflowDatasetSummary", {F("experiment_id", T("String")), F("name", T("String")),
                                        F("digest", T("String")), F("context", T("String"))}));
  s.add(object("MlflowSearchDatasetsResponse", {F("dataset_summaries", LNN("MlflowDatasetSummary")), api_error()}));
  s.add(object("MlflowMetricWithRunId", {F("key", T("String")), F("value", T("Float")),
                                         F("timestamp", T("LongString")), F("step", T("LongString")),
                                         F("run_id", T("String"))}));
  s.add(object("MlflowGetMetricHistoryBulkIntervalResponse", {F("metrics", LNN("MlflowMetricWithRunId")), api_error()}));
  s.add(object("MlflowFileInfo", {F("path", T("String")), F("is_dir", T("Boolean")), F("file_size", T("LongString"))}));
  s.add(object("MlflowListArtifactsResponse", {F("root_uri", T("String")), F("files", LNN("MlflowFileInfo")),
                                               F("next_page_token", T("String")), api_error()}));
  s.add(object("MlflowModelOutput", {F("model_id", T("String")), F("step", T("LongString"))}));
  s.add(object("MlflowRunOutputs", {F("model_outputs", LNN("MlflowModelOutput"))}));
  s.add(object("MlflowModelInput", {F("model_id", T("String"))}));
  s.add(object("MlflowDataset", {F("name", T("String")), F("digest", T("String")), F("source_type", T("String")),
                                 F("source", T("String")), F("schema", T("String")), F("profile", T("String"))}));
  s.add(object("MlflowInputTag", {F("key", T("String")), F("value", T("String"))}));
  s.add(object("MlflowDatasetInput", {F("tags", LNN("MlflowInputTag")), F("dataset", T("MlflowDataset"))}));
  s.add(object("MlflowRunInputs", {F("dataset_inputs", LNN("MlflowDatasetInput")),
                                   F("model_inputs", LNN("MlflowModelInput"))}));
  s.add(object("MlflowRunTag", {F("key", T("String")), F("value", T("String"))}));
  s.add(object("MlflowParam", {F("key", T("String")), F("value", T("String"))}));
  {
    auto value = F("value", T("Float"));
    value.nan_as_null = true;  // MlflowMetricExtension.resolve_value
    s.add(object("MlflowMetricExtension", {F("key", T("String")), value, F("timestamp", T("LongString")),
                                           F("step", T("LongString")), F("dataset_name", T("String")),
                                           F("dataset_digest", T("String")), F("model_id", T("String")),
                                           F("run_id", T("String"))}));
  }
  s.add(object("MlflowRunData", {F("metrics", LNN("MlflowMetricExtension")), F("params", LNN("MlflowParam")),
                                 F("tags", LNN("MlflowRunTag"))}));
  s.add(object("MlflowRunInfo", {F("run_id", T("String")), F("run_uuid", T("String")), F("run_name", T("String")),
                                 F("experiment_id", T("String")), F("user_id", T("String")),
                                 F("status", T("MlflowRunStatus")), F("start_time", T("LongString")),
                                 F("end_time", T("LongString")), F("artifact_uri", T("String")),
                                 F("lifecycle_stage", T("String"))}));
  {
    auto experiment = F("experiment", T("MlflowExperiment"));
    experiment.resolve = [](const json& run, const json&, graphql::ResolveContext& ctx) -> json {
      auto answer = static_cast<MlflowRpc&>(ctx).call("GET", "/experiments/get",
                                                      json{{"experiment_id", run_info_member(run, "experiment_id")}});
      return answer.value("experiment", json(nullptr));
    };
    auto versions = F("model_versions", LNN("MlflowModelVersion"));
    versions.resolve = [](const json& run, const json&, graphql::ResolveContext& ctx) -> json {
      auto answer = static_cast<MlflowRpc&>(ctx).call(
          "GET", "/model-versions/search", json{{"filter", "run_id='" + run_info_member(run, "run_id") + "'"}});
      return answer.value("model_versions", json::array());
    };
    s.add(object("MlflowRunExtension", {F("info", T("MlflowRunInfo")), F("data", T("MlflowRunData")),
                                        F("inputs", T("MlflowRunInputs")), F("outputs", T("MlflowRunOutputs")),
                                        experiment, versions}));
  }
  s.add(object("MlflowSearchRunsResponse", {F("runs", LNN("MlflowRunExtension")), F("next_page_token", T("String")),
                                            api_error()}));
  s.add(object("MlflowGetRunResponse", {F("run", T("MlflowRunExtension")), api_error()}));
  s.add(object("MlflowExperimentTag", {F("key", T("String")), F("value", T("String"))}));
  s.add(object("MlflowExperiment", {F("experiment_id", T("String")), F("name", T("String")),
                                    F("artifact_location", T("String")), F("lifecycle_stage", T("String")),
                                    F("last_update_time", T("LongString")), F("creation_time", T("LongString")),
                                    F("tags", LNN("MlflowExperimentTag"))}));
  s.add(object("MlflowGetExperimentResponse", {F("experiment", T("MlflowExperiment")), api_error()}));

  s.add(input("MlflowSearchModelVersionsInput", {I("filter", T("String")), I("max_results", T("LongString")),
                                                 I("order_by", L(T("String"))), I("page_token", T("String"))}));
  s.add(input("MlflowSearchDatasetsInput", {I("experiment_ids", L(T("String")))}));
  s.add(input("MlflowGetMetricHistoryBulkIntervalInput",
              {I("run_ids", L(T("String"))), I("metric_key", T("String")), I("start_step", T("Int")),
               I("end_step", T("Int")), I("max_results", T("Int"))}));
  s.add(input("MlflowListArtifactsInput", {I("run_id", T("String")), I("run_uuid", T("String")),
                                           I("path", T("String")), I("page_token", T("String"))}));
  s.add(input("MlflowSearchRunsInput", {I("experiment_ids", L(T("String"))), I("filter", T("String")),
                                        I("run_view_type", T("MlflowViewType")), I("max_results", T("Int")),
                                        I("order_by", L(T("String"))), I("page_token", T("String"))}));
  s.add(input("MlflowGetRunInput", {I("run_id", T("String")), I("run_uuid", T("String"))}));
  s.add(input("MlflowGetExperimentInput", {I("experiment_id", T("String"))}));

  s.add(object("Query",
               {rpc_field("mlflow_get_experiment", "MlflowGetExperimentResponse", "MlflowGetExperimentInput",
                          "QueryType", "GET", "/experiments/get"),
                rpc_field("mlflow_get_metric_history_bulk_interval", "MlflowGetMetricHistoryBulkIntervalResponse",
                          "MlflowGetMetricHistoryBulkIntervalInput", "QueryType", "GET",
                          "/metrics/get-history-bulk-interval"),
                rpc_field("mlflow_get_run", "MlflowGetRunResponse", "MlflowGetRunInput", "QueryType", "GET", "/runs/get"),
                rpc_field("mlflow_list_artifacts", "MlflowListArtifactsResponse", "MlflowListArtifactsInput",
                          "QueryType", "GET", "/artifacts/list"),
                rpc_field("mlflow_search_model_versions", "MlflowSearchModelVersionsResponse",
                          "MlflowSearchModelVersionsInput", "QueryType", "GET", "/model-versions/search"),
                echo_field("test", "Test", true),
                rpc_field("mlflow_search_runs", "MlflowSearchRunsResponse", "MlflowSearchRunsInput", "Query", "POST",
                          "/runs/search")}));
  s.add(object("Mutation",
               {rpc_field("mlflow_search_datasets", "MlflowSearchDatasetsResponse", "MlflowSearchDatasetsInput",
                          "MutationType", "POST", "/experiments/search-datasets"),
                rpc_field("mlflow_search_runs", "MlflowSearchRunsResponse", "MlflowSearchRunsInput", "MutationType",
                          "POST", "/runs/search"),
                echo_field("testMutation", "TestMutation", false)}));
  graphql::add_introspection(s);
  return s;
}

}  // namespace sextant::api
