// Unit tests for api/router: exact, pattern ({name} segments) and prefix routes.
#include <gtest/gtest.h>

#include "api/router.hpp"

namespace sextant::api {
namespace {

using Kind = Router::Match::Kind;

Handler named(std::string name) {
  return [name](const ApiRequest&) { return ApiResponse::text(name); };
}

std::string run(const Router& r, std::string_view method, std::string_view path) {
  auto m = r.match(method, path);
  if (m.kind == Kind::NotFound) return "404";
  if (m.kind == Kind::MethodNotAllowed) return "405";
  ApiRequest req;
  req.path_params = m.params;
  return m.route->handler(req).body;
}

Router sample() {
  Router r;
  r.add("POST", "/m/logged-models", named("create"));
  r.add("POST", "/m/logged-models/search", named("search"));
  r.add_pattern("GET", "/m/logged-models/{model_id}", named("get"));
  r.add_pattern("PATCH", "/m/logged-models/{model_id}", named("finalize"));
  r.add_pattern("DELETE", "/m/logged-models/{model_id}/tags/{tag_key}", named("delete-tag"));
  r.add_pattern("GET", "/m/logged-models/{model_id}/artifacts/directories", named("list"));
  r.add_pattern("GET", "/m/{any}/artifacts/directories", named("generic"));
  r.add_prefix("GET", "/files/", named("file"));
  return r;
}

TEST(Router, PatternsCaptureOneSegment) {
  auto r = sample();
  auto m = r.match("DELETE", "/m/logged-models/m-1/tags/mlflow.user");
  ASSERT_EQ(m.kind, Kind::Found);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"model_id", "m-1"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"tag_key", "mlflow.user"}));
  ApiRequest req;
  req.path_params = m.params;
  EXPECT_EQ(req.path_param("tag_key"), "mlflow.user");
  EXPECT_EQ(req.path_param("nope"), "");
  EXPECT_EQ(run(r, "GET", "/m/logged-models/m-1"), "get");
  EXPECT_EQ(run(r, "HEAD", "/m/logged-models/m-1"), "get");
  EXPECT_EQ(run(r, "PATCH", "/m/logged-models/m-1"), "finalize");
}

TEST(Router, ParametersNeverSpanSlashesOrMatchEmpty) {
  auto r = sample();
  EXPECT_EQ(run(r, "GET", "/m/logged-models/a/b"), "404");
  EXPECT_EQ(run(r, "GET", "/m/logged-models/"), "404");
  EXPECT_EQ(run(r, "DELETE", "/m/logged-models/m-1/tags/a/b"), "404");
  EXPECT_EQ(run(r, "DELETE", "/m/logged-models//tags/k"), "404");
  EXPECT_EQ(run(r, "GET", "/m/logged-models/m-1/"), "404");  // exact-match: no trailing-slash tolerance
}

TEST(Router, RepeatedSlashesMergedOnlyWhenNothingElseMatches) {
  // werkzeug's merge_slashes: "//x" is served as "/x"; a path that matches as it is stays as it is.
  auto r = sample();
  auto m = r.match("POST", "//m//logged-models///search");
  ASSERT_EQ(m.kind, Kind::Found);
  EXPECT_EQ(m.merged_path, "/m/logged-models/search");
  EXPECT_EQ(run(r, "GET", "/m//logged-models/m-1"), "get");
  m = r.match("GET", "/files/a//b");
  ASSERT_EQ(m.kind, Kind::Found);
  EXPECT_EQ(m.tail, "a//b");
  EXPECT_EQ(m.merged_path, "");
  m = r.match("GET", "//files//a//b");
  ASSERT_EQ(m.kind, Kind::Found);
  EXPECT_EQ(m.tail, "a/b");
  EXPECT_EQ(run(r, "PUT", "//m/logged-models/search"), "405");
  EXPECT_EQ(run(r, "GET", "//m/logged-models/search"), "get");  // merged, then the pattern
  EXPECT_EQ(run(r, "GET", "//nowhere"), "404");
}

TEST(Router, StaticSegmentsWin) {
  auto r = sample();
  EXPECT_EQ(run(r, "POST", "/m/logged-models/search"), "search");
  EXPECT_EQ(run(r, "GET", "/m/logged-models/x/artifacts/directories"), "list");
  EXPECT_EQ(run(r, "GET", "/m/other/artifacts/directories"), "generic");
}

TEST(Router, MethodMismatchFallsThroughLikeWerkzeug) {
  auto r = sample();
  // /search exists only for POST; GET reaches the {model_id} route.
  EXPECT_EQ(run(r, "GET", "/m/logged-models/search"), "get");
  EXPECT_EQ(run(r, "PUT", "/m/logged-models/search"), "405");
  EXPECT_EQ(run(r, "POST", "/m/logged-models/m-1"), "405");
  EXPECT_EQ(run(r, "GET", "/m/logged-models"), "405");
  EXPECT_EQ(run(r, "GET", "/files/a/b"), "file");
  EXPECT_EQ(run(r, "PUT", "/files/a/b"), "405");
  EXPECT_EQ(run(r, "GET", "/nothing"), "404");
}

}  // namespace
}  // namespace sextant::api
