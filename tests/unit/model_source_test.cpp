// Unit tests for core/model_source (which model version sources are accepted, §2.9) and the
// registry rules in core/registry (stages, versions, aliases, tags).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/error.hpp"
#include "core/model_source.hpp"
#include "core/registry.hpp"

namespace sextant::core {
namespace {

const std::string kRun = "0123456789abcdef0123456789abcdef";

class FakeLookup : public SourceLookup {
 public:
  std::map<std::string, std::string> runs{{kRun, "mlflow-artifacts:/1/" + kRun + "/artifacts"},
                                          {"localrun", "/srv/mlruns/2/localrun/artifacts"}};
  std::map<std::string, LoggedModel> models{
      {"m-1", {"mlflow-artifacts:/1/models/m-1/artifacts", kRun}},
      {"m-local", {"file:///srv/mlruns/2/models/m-local/artifacts", std::nullopt}}};
  std::vector<std::string> experiments{"mlflow-artifacts:/1", "s3://bucket/exp/3/"};
  std::string root = "mlflow-artifacts:/";

  std::optional<std::string> run_artifact_uri(const std::string& id) override {
    auto it = runs.find(id);
    return it == runs.end() ? std::nullopt : std::optional(it->second);
  }
  std::optional<LoggedModel> logged_model(const std::string& id) override {
    auto it = models.find(id);
    return it == models.end() ? std::nullopt : std::optional(it->second);
  }
  std::optional<std::string> model_version_download_uri(const std::string& name, std::int64_t v) override {
    if (name == "reg" && v == 1) return std::string("mlflow-artifacts:/1/" + kRun + "/artifacts/model");
    return std::nullopt;
  }
  std::vector<std::string> experiment_locations_prefixing(const std::string&) override { return experiments; }
  std::string default_artifact_root() override { return root; }
};

ResolvedSource resolve(FakeLookup& lookup, const std::string& source, const std::string& run_id = "",
                       const std::string& model_id = "", bool prompt = false) {
  return resolve_model_version_source({source, run_id, model_id, prompt}, lookup);
}

// The error of resolving `source`, or "" when it was accepted.
std::string rejection(FakeLookup& lookup, const std::string& source, const std::string& run_id = "",
                      const std::string& model_id = "", ErrorCode code = ErrorCode::INVALID_PARAMETER_VALUE) {
  try {
    resolve(lookup, source, run_id, model_id);
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), code) << source;
    return e.what();
  }
  return "";
}

TEST(ModelSource, AcceptsRunsAndArtifactLocations) {
  FakeLookup l;
  auto r = resolve(l, "runs:/" + kRun + "/model", kRun);
  EXPECT_EQ(r.storage_location, "runs:/" + kRun + "/model");
  EXPECT_EQ(r.run_id, kRun);
  EXPECT_EQ(resolve(l, "mlflow-artifacts:/1/" + kRun + "/artifacts/model", kRun).storage_location,
            "mlflow-artifacts:/1/" + kRun + "/artifacts/model");
  EXPECT_EQ(rejection(l, "mlflow-artifacts://host:5000/1/x/artifacts/model"), "");  // authority ignored
  EXPECT_EQ(rejection(l, "s3://bucket/exp/3/abc/artifacts/model"), "");          // experiment location
  EXPECT_EQ(rejection(l, "mlflow-artifacts:/1/a%20b/model"), "");                // harmless escapes
  EXPECT_EQ(resolve(l, "runs:/" + kRun + "/model").run_id, "");                  // run_id stored as given
}

TEST(ModelSource, LoggedModels) {
  FakeLookup l;
  auto r = resolve(l, "models:/m-1", "", "m-1");
  EXPECT_EQ(r.storage_location, "mlflow-artifacts:/1/models/m-1/artifacts");
  EXPECT_EQ(r.run_id, kRun);  // from the model's source_run_id
  EXPECT_EQ(resolve(l, "models:/m-1", "other-run").run_id, "other-run");
  EXPECT_EQ(resolve(l, "models:/reg/1").storage_location, "mlflow-artifacts:/1/" + kRun + "/artifacts/model");
  EXPECT_EQ(resolve(l, "mlflow-artifacts:/1/models/m-1/artifacts", "", "m-1").run_id, kRun);
  EXPECT_NE(rejection(l, "models:/m-404").find("Unable to fetch model from model URI source artifact location "
                                               "'models:/m-404'"),
            std::string::npos);
  EXPECT_NE(rejection(l, "models:/reg/2").find("Model Version (name=reg, version=2) not found"), std::string::npos);
  EXPECT_NE(rejection(l, "models:/reg@champion"), "");
  EXPECT_NE(rejection(l, "models:/reg/Production"), "");
  EXPECT_NE(rejection(l, "models:/m-1", "", "m-2", ErrorCode::RESOURCE_DOES_NOT_EXIST).find("Logged model with ID 'm-2'"),
            std::string::npos);
  l.models["m-2"] = {"mlflow-artifacts:/1/models/m-2/artifacts", std::nullopt};
  EXPECT_NE(rejection(l, "models:/m-1", "", "m-2").find("does not match"), std::string::npos);
  EXPECT_FALSE(resolve(l, "models:/m-2", "", "m-2").run_id.has_value());  // NULL when the model has no run
}

TEST(ModelSource, LocalPathsOnlyInsideTheRunsLocalArtifacts) {
  FakeLookup l;
  EXPECT_EQ(rejection(l, "/srv/mlruns/2/localrun/artifacts/model", "localrun"), "");
  EXPECT_EQ(rejection(l, "file:///srv/mlruns/2/localrun/artifacts/model", "localrun"), "");
  EXPECT_EQ(rejection(l, "/srv/mlruns/2/models/m-local/artifacts", "", "m-local"), "");
  const std::string local_msg = "To use a local path as a model version source, the run_id request parameter";
  EXPECT_NE(rejection(l, "/etc/passwd").find(local_msg), std::string::npos);
  EXPECT_NE(rejection(l, "/etc/passwd", "localrun").find(local_msg), std::string::npos);
  EXPECT_NE(rejection(l, "/srv/mlruns/2/localrun/artifactsX", "localrun").find(local_msg), std::string::npos);
  EXPECT_NE(rejection(l, "file:///etc/passwd", kRun).find(local_msg), std::string::npos);  // run dir not local
  EXPECT_NE(rejection(l, "file://otherhost/srv/mlruns/2/localrun/artifacts", "localrun"), "");
  EXPECT_NE(rejection(l, "srv/mlruns/2/localrun/artifacts", "localrun"), "");  // relative
  EXPECT_NE(rejection(l, "/srv/mlruns/x", "", "m-local").find("the model_id request parameter"), std::string::npos);
  EXPECT_NE(rejection(l, "/srv/x", "nope", "", ErrorCode::RESOURCE_DOES_NOT_EXIST), "");
}

TEST(ModelSource, RelativeReferencesInAnyEncoding) {
  FakeLookup l;
  const std::string rel = "an absolute path must be provided without relative path references present";
  for (const std::string& s : std::vector<std::string>{
           "mlflow-artifacts:/1/../../etc", "mlflow-artifacts:/1/%2e%2e/%2e%2e/etc", "mlflow-artifacts:/1/%252e%252e/x",
        "mlflow-artifacts:/1/%25252E%25252E/x", "runs:/" + kRun + "/../../x", "mlflow-artifacts:/1/./x",
        "mlflow-artifacts:/1/..%2fx", "mlflow-artifacts:/1/..\\x", "mlflow-artifacts:/1/x%00",
        "/srv/mlruns/2/localrun/artifacts/../../../../etc/passwd", "file:///srv/mlruns/2/localrun/artifacts/%2e%2e/x",
        "models:/m-1/..", "mlflow-artifacts:1/x", "mlflow-artifacts:/", "http://h/api/2.0/mlflow-artifacts/artifacts/../x"}) {
    EXPECT_NE(rejection(l, s, "localrun").find(rel), std::string::npos) << s;
  }
}

TEST(ModelSource, OtherSchemesAndPlacesRejected) {
  FakeLookup l;
  const std::string outside = "The source must be a runs:/ or models:/ URI";
  for (const std::string& s : std::vector<std::string>{"s3://bucket/other/model", "s3://bucket/exp/30/model", "http://evil.example/model",
                               "https://h/api/2.0/mlflow-artifacts/artifacts/1/x", "ftp://h/x", "hdfs://n/x",
                               "gs://b/x", "C:/Windows/x"}) {
    auto msg = rejection(l, s, kRun);
    EXPECT_FALSE(msg.empty()) << s;
  }
  EXPECT_NE(rejection(l, "s3://bucket/other/model").find(outside), std::string::npos);
  l.root = "/srv/mlruns";  // --no-serve-artifacts: proxied URIs are only fine inside experiments
  EXPECT_EQ(rejection(l, "mlflow-artifacts:/1/x"), "");
  EXPECT_NE(rejection(l, "mlflow-artifacts:/9/x").find(outside), std::string::npos);
  EXPECT_NE(rejection(l, "runs:/nope/model").find("Run 'nope' not found"), std::string::npos);
  EXPECT_NE(rejection(l, "runs:/" + kRun + "/model", "localrun").find("does not match"), std::string::npos);
}

TEST(ModelSource, PromptPlaceholder) {
  FakeLookup l;
  EXPECT_EQ(resolve_model_version_source({"prompt-template", "", "", true}, l).storage_location, "prompt-template");
  EXPECT_THROW(resolve_model_version_source({"/etc/passwd", "", "", true}, l), MlflowError);
  EXPECT_THROW(resolve(l, "prompt-template"), MlflowError);
}

TEST(ModelSource, Helpers) {
  EXPECT_EQ(fully_unquote("%25252e+x"), ". x");
  EXPECT_TRUE(has_relative_references("a/../b"));
  EXPECT_TRUE(has_relative_references("a\\..\\b"));
  EXPECT_FALSE(has_relative_references("a/...b/..c"));
  EXPECT_EQ(uri_scheme("S3://b"), "s3");
  EXPECT_EQ(uri_scheme("/x:y"), "");
  EXPECT_TRUE(uri_within("s3://b/p/q", "s3://b/p/"));
  EXPECT_FALSE(uri_within("s3://b/pq", "s3://b/p"));
  EXPECT_FALSE(uri_within("s3://b/p/q", "gs://b/p"));
  EXPECT_FALSE(uri_within("s3://b/p/q", "s3://"));
  EXPECT_TRUE(uri_within("wasbs://c@a/p/1?sas", "wasbs://c@a/p?sas"));
  EXPECT_FALSE(uri_within("wasbs://c@a/p/1", "wasbs://c@a/p?sas"));
  EXPECT_EQ(local_path("file:///a//b/"), "/a/b");
  EXPECT_EQ(local_path("file://localhost/a"), "/a");
  EXPECT_EQ(local_path("file:/a%20b"), "/a b");
  EXPECT_FALSE(local_path("s3://a").has_value());
  EXPECT_TRUE(path_within("/a/b", "/a"));
  EXPECT_FALSE(path_within("/ab", "/a"));
}

// --- core/registry rules ---

std::string invalid_message(void (*fn)(std::string_view), std::string_view arg) {
  try {
    fn(arg);
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE);
    return e.what();
  }
  return "";
}

TEST(RegistryRules, Stages) {
  EXPECT_EQ(canonical_stage("production"), "Production");
  EXPECT_EQ(canonical_stage("NONE"), "None");
  EXPECT_EQ(canonical_stage("archived"), "Archived");
  try {
    canonical_stage("Deleted_Internal");
    ADD_FAILURE();
  } catch (const MlflowError& e) {
    EXPECT_STREQ(e.what(),
                 "Invalid Model Version stage: Deleted_Internal. Value must be one of None, Staging, Production, "
                 "Archived.");
  }
  EXPECT_TRUE(is_active_stage("Staging"));
  EXPECT_FALSE(is_active_stage("Archived"));
}

TEST(RegistryRules, Versions) {
  EXPECT_EQ(parse_version("3"), 3);
  EXPECT_EQ(parse_version(" 12 "), 12);
  EXPECT_EQ(parse_version("+4"), 4);
  EXPECT_EQ(parse_version("007"), 7);
  for (const char* bad : {"", "x", "1.0", "1e3", "++1", "99999999999999999999"}) {
    try {
      parse_version(bad);
      ADD_FAILURE() << bad;
    } catch (const MlflowError& e) {
      EXPECT_EQ(std::string(e.what()), std::string("Parameter 'version' must be an integer, got '") + bad + "'.");
    }
  }
}

TEST(RegistryRules, Aliases) {
  EXPECT_EQ(invalid_message(validate_alias_name, "champion-1_x"), "");
  EXPECT_EQ(invalid_message(validate_alias_name, ""), "Registered model alias name cannot be empty.");
  EXPECT_EQ(invalid_message(validate_alias_name, "a b"),
            "Invalid alias name: 'a b'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
  EXPECT_EQ(invalid_message(validate_alias_name, std::string(256, 'a')),
            "'Registered model alias name' exceeds the maximum length of 255 characters");
  EXPECT_EQ(invalid_message(validate_alias_not_reserved, "LaTeSt"), "'latest' alias name (case insensitive) is reserved.");
  EXPECT_EQ(invalid_message(validate_alias_not_reserved, "V12"), "Version alias name 'V12' is reserved.");
  EXPECT_EQ(invalid_message(validate_alias_not_reserved, "v1a"), "");
  EXPECT_EQ(invalid_message(validate_alias_not_reserved, "v"), "");
  EXPECT_TRUE(is_latest_alias("LATEST"));
}

TEST(RegistryRules, Tags) {
  EXPECT_NO_THROW(validate_registered_model_tag({"k", std::string(100000, 'v')}));
  EXPECT_THROW(validate_registered_model_tag({"k", std::string(100001, 'v')}), MlflowError);
  EXPECT_THROW(validate_registered_model_tag({std::string(251, 'k'), "v"}), MlflowError);
  EXPECT_THROW(validate_registered_model_tag({"a/../b", "v"}), MlflowError);
  try {
    validate_model_version_tag({"mlflow.prompt.text", std::string(100001, 'v')});
    ADD_FAILURE();
  } catch (const MlflowError& e) {
    EXPECT_STREQ(e.what(), "Prompt text exceeds max length of 100000 characters.");
  }
}

}  // namespace
}  // namespace sextant::core
