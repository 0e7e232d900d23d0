// Unit tests for core/model_source (which model version sources are accepted: MLflow 3.6's
// rules, §2.9) and the registry rules in core/registry (stages, versions, aliases, tags).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/error.hpp"
#include "core/model_source.hpp"
#include "core/registry.hpp"
#include "util/url.hpp"

namespace sextant::core {
namespace {

const std::string kRun = "0123456789abcdef0123456789abcdef";

class FakeLookup : public SourceLookup {
 public:
  std::map<std::string, std::string> runs{{kRun, "mlflow-artifacts:/1/" + kRun + "/artifacts"},
                                          {"localrun", "/srv/mlruns/2/localrun/artifacts"},
                                          {"fileurirun", "file:///srv/mlruns/2/fileurirun/artifacts"}};
  std::map<std::string, LoggedModel> models{
      {"m-1", {"mlflow-artifacts:/1/models/m-1/artifacts", kRun}},
      {"m-local", {"file:///srv/mlruns/2/models/m-local/artifacts", std::nullopt}}};

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

const std::string kRelative = "an absolute path must be provided without relative path references present";
const std::string kLocal = "To use a local path as a model version source, the run_id request parameter";

TEST(ModelSource, NonLocalUrisAcceptedAsMlflowDoes) {
  FakeLookup l;
  // runs:/ need not name an existing run, nor the run given by run_id (MLflow stores it as given).
  auto r = resolve(l, "runs:/" + kRun + "/model", "other-run");
  EXPECT_EQ(r.storage_location, "runs:/" + kRun + "/model");
  EXPECT_EQ(r.run_id, "other-run");
  EXPECT_EQ(resolve(l, "runs:/no-such-run/model").run_id, "");
  for (const std::string& s : std::vector<std::string>{
           "mlflow-artifacts:/models", "mlflow-artifacts:/models/", "mlflow-artifacts:/models///",
           "mlflow-artifacts:/models/foo///bar", "mlflow-artifacts://host:9000/models",
           "mlflow-artifacts://host:9000/models/artifact/..../", "artifacts:/1/" + kRun + "/artifacts",
           "s3://bucket/anywhere/model", "http://host/model", "mlflow-artifacts:/1/a%20b/model",
           "s3://b/p?x=..y", "s3://b/p#frag"}) {
    EXPECT_EQ(rejection(l, s, kRun), "") << s;
  }
}

TEST(ModelSource, RelativeReferencesInAnyEncodingRefused) {
  FakeLookup l;
  for (const std::string& s : std::vector<std::string>{
           "mlflow-artifacts://host:9000/models/../../../", "http://host:9000/models/../../../",
           "https://host/api/2.0/mlflow-artifacts/artifacts/../../../", "s3a://my_bucket/a/../../../",
           "ftp://host:8888/api/../../../", "mlflow-artifacts://host:9000/models/..%2f..%2fartifacts",
           "mlflow-artifacts://host:9000/models/artifact%00", "dbfs:/" + kRun + "/artifacts/a%3f/../../../",
           "mlflow-artifacts:/1/%2e%2e/%2e%2e/etc", "mlflow-artifacts:/1/%252e%252e/x",
           "mlflow-artifacts:/1/%25252E%25252E/x", "runs:/" + kRun + "/../../x", "mlflow-artifacts:/1/./x",
           "mlflow-artifacts:/1/x/.", "mlflow-artifacts:/1/..\\x", "models:/m-1/..", "mlflow-artifacts:1/x",
           "mlflow-artifacts:/", "s3://bucket", "http://h/a/.;p", "s3://b/p?x=/../y"}) {
    auto message = rejection(l, s, kRun);
    EXPECT_NE(message.find(kRelative), std::string::npos) << s;
    EXPECT_NE(message.find("Invalid model version source: '" + s + "'."), std::string::npos) << s;
  }
}

TEST(ModelSource, LocalPathsOnlyInsideTheOwnersLocalArtifacts) {
  FakeLookup l;
  EXPECT_EQ(rejection(l, "/srv/mlruns/2/localrun/artifacts", "localrun"), "");
  EXPECT_EQ(rejection(l, "/srv/mlruns/2/localrun/artifacts/model", "localrun"), "");
  EXPECT_EQ(rejection(l, "file:///srv/mlruns/2/localrun/artifacts/model", "localrun"), "");
  EXPECT_EQ(rejection(l, "file:///srv/mlruns/2/fileurirun/artifacts/.", "fileurirun"), "");
  EXPECT_EQ(rejection(l, "file:///srv/mlruns/2/fileurirun/artifacts/model/..", "fileurirun"), "");
  EXPECT_EQ(rejection(l, "file://localhost/srv/mlruns/2/fileurirun/artifacts", "fileurirun"), "");
  EXPECT_EQ(rejection(l, "%2Fsrv%2Fmlruns%2F2%2Flocalrun%2Fartifacts%2Fm", "localrun"), "");  // decoded once
  EXPECT_EQ(rejection(l, "/srv/mlruns/2/models/m-local/artifacts", "", "m-local"), "");
  EXPECT_EQ(rejection(l, "/srv/mlruns/2/localrun/artifacts/a%0Ab", "localrun"), "");  // a newline is a name char

  EXPECT_EQ(rejection(l, "/etc/passwd"), "Invalid model version source: '/etc/passwd'. " + kLocal +
                                             " has to be specified and the local path has to be contained within "
                                             "the artifact directory of the run specified by the run_id.");
  // With an owner, MLflow shows the resolved path.
  EXPECT_NE(rejection(l, "file:///srv/mlruns/2/localrun/artifacts/../../x", "localrun")
                .find("Invalid model version source: '/srv/mlruns/2/x'. " + kLocal),
            std::string::npos);
  EXPECT_NE(rejection(l, "/srv/mlruns/2/localrun/artifactsX", "localrun").find(kLocal), std::string::npos);
  EXPECT_NE(rejection(l, "/srv/mlruns/2/localrun/artifacts/%2e%2e/%2e%2e/x", "localrun").find(kLocal), std::string::npos);
  EXPECT_NE(rejection(l, "file:///etc/passwd", kRun).find(kLocal), std::string::npos);  // run dir not local
  EXPECT_NE(rejection(l, "srv/mlruns/2/localrun/artifacts", "localrun").find(kLocal), std::string::npos);
  EXPECT_NE(rejection(l, "FILE:///srv/mlruns/2/localrun/artifacts", "localrun").find(kLocal), std::string::npos);
  EXPECT_NE(rejection(l, "/srv/mlruns/x", "", "m-local").find("the model_id request parameter"), std::string::npos);
  EXPECT_NE(rejection(l, "file:///path/to/model", "", "m-1").find("the model_id request parameter"), std::string::npos);
  EXPECT_EQ(rejection(l, "/srv/x", "nope", "", ErrorCode::RESOURCE_DOES_NOT_EXIST), "Run with id=nope not found");
  EXPECT_EQ(rejection(l, "/srv/x", "", "m-9", ErrorCode::RESOURCE_DOES_NOT_EXIST), "Logged model with ID 'm-9' not found.");
  EXPECT_EQ(rejection(l, "file://123.456.789.123/srv/mlruns/2/localrun/artifacts", "localrun", "",
                      ErrorCode::INTERNAL_ERROR),
            "file://123.456.789.123/srv/mlruns/2/localrun/artifacts is not a valid remote uri. For remote access on "
            "windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).");
}

TEST(ModelSource, LocalBypassesWithPublishedAdvisoriesRefused) {
  FakeLookup l;
  for (const std::string& s : std::vector<std::string>{
           "/srv/mlruns/2/localrun/artifacts/%252e%252e/%252e%252e/x",          // CVE-2024-1560
           "/srv/mlruns/2/localrun/artifacts/..\\..\\x",                         // CVE-2023-2780
           "file:///srv/mlruns/2/localrun/artifacts#/../../../etc",              // CVE-2024-1483
           "file:///srv/mlruns/2/localrun/artifacts?/../x",                      // CVE-2024-3848
           "/srv/mlruns/2/localrun/artifacts/a%00"}) {
    EXPECT_NE(rejection(l, s, "localrun").find(kRelative), std::string::npos) << s;
  }
}

TEST(ModelSource, ModelsUris) {
  FakeLookup l;
  auto r = resolve(l, "models:/m-1", "", "m-1");
  EXPECT_EQ(r.storage_location, "mlflow-artifacts:/1/models/m-1/artifacts");
  EXPECT_EQ(r.run_id, kRun);  // from the model's source_run_id
  EXPECT_EQ(resolve(l, "models:/m-1", "other-run").run_id, "other-run");
  EXPECT_EQ(resolve(l, "models:/m-1", "", "m-local").run_id, kRun);  // model_id need not match the source
  EXPECT_EQ(resolve(l, "models:/reg/1").storage_location, "mlflow-artifacts:/1/" + kRun + "/artifacts/model");
  EXPECT_EQ(resolve(l, "mlflow-artifacts:/1/models/m-1/artifacts", "", "m-1").run_id, kRun);
  EXPECT_FALSE(resolve(l, "models:/m-local", "", "m-local").run_id.has_value());  // NULL: the model has no run
  const std::string fetch = "Unable to fetch model from model URI source artifact location ";
  auto unfetchable = [&](const std::string& s) { return rejection(l, s, "", "", ErrorCode::INTERNAL_ERROR); };
  EXPECT_EQ(unfetchable("models:/m-404"), fetch + "'models:/m-404'.Error: Logged model with ID 'm-404' not found.");
  EXPECT_EQ(unfetchable("models:/reg/2"), fetch + "'models:/reg/2'.Error: Model Version (name=reg, version=2) not found");
  const std::string none = "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'";
  EXPECT_EQ(unfetchable("models:/reg@champion"), fetch + "'models:/reg@champion'.Error: " + none);
  EXPECT_EQ(unfetchable("models:/reg/Production"), fetch + "'models:/reg/Production'.Error: " + none);
  EXPECT_NE(unfetchable("models:/a/b/c").find("Not a proper models:/ URI: models:/a/b/c. "), std::string::npos);
  EXPECT_NE(unfetchable("models:/reg@").find("Not a proper models:/ URI"), std::string::npos);
  EXPECT_EQ(rejection(l, "s3://b/m", "", "m-2", ErrorCode::RESOURCE_DOES_NOT_EXIST), "Logged model with ID 'm-2' not found.");
}

TEST(ModelSource, PromptPlaceholder) {
  FakeLookup l;
  EXPECT_EQ(resolve_model_version_source({"prompt-template", "", "", true}, l).storage_location, "prompt-template");
  EXPECT_THROW(resolve_model_version_source({"/etc/passwd", "", "", true}, l), MlflowError);  // CVE-2026-2614
  EXPECT_THROW(resolve(l, "prompt-template"), MlflowError);
}

TEST(ModelSource, Helpers) {
  EXPECT_EQ(fully_unquote("%25252e+x"), ". x");
  EXPECT_TRUE(non_local_source_is_absolute("s3://b/a/...b/..c"));
  EXPECT_FALSE(non_local_source_is_absolute("s3://b/a\\..\\b"));
  EXPECT_EQ(normalize_absolute_path("/a//b/./c/../d/"), "/a/b/d");
  EXPECT_EQ(normalize_absolute_path("/.."), "/");
  EXPECT_FALSE(normalize_absolute_path("a/b").has_value());
  EXPECT_TRUE(path_within("/a/b", "/a"));
  EXPECT_FALSE(path_within("/ab", "/a"));
  auto u = util::python_urlsplit("  Mlflow-Artifacts://User@Host:9000/p/a?q=1#f");
  EXPECT_EQ(u.scheme, "mlflow-artifacts");
  EXPECT_EQ(u.netloc, "User@Host:9000");
  EXPECT_EQ(u.hostname(), "host");
  EXPECT_EQ(u.path, "/p/a");
  EXPECT_EQ(u.query, "q=1");
  EXPECT_EQ(u.fragment, "f");
  EXPECT_EQ(util::python_urlsplit("models:/a#b", false).path, "/a#b");
  EXPECT_EQ(util::python_urlsplit("/x:y").scheme, "");
  EXPECT_EQ(util::python_urlparse_path("http://h/a/.;x"), "/a/.");
  EXPECT_EQ(util::python_urlparse_path("file:///a;b"), "/a;b");
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
