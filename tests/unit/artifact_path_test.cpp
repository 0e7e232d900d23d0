#include "artifacts/artifact_path.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <vector>

#include "artifacts/local_artifact_repo.hpp"
#include "core/error.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

using sextant::artifacts::artifact_path_deletable;
using sextant::artifacts::canonical_artifact_path;
using sextant::artifacts::canonical_deletable_artifact_path;
using sextant::artifacts::LocalArtifactRepo;
using sextant::artifacts::PathKind;
using sextant::core::ErrorCode;
using sextant::core::MlflowError;

namespace {
const std::string kRun = "0123456789abcdef0123456789abcdef";

// The error code canonical_artifact_path / canonical_deletable_artifact_path throw, or nullopt.
std::optional<ErrorCode> refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const MlflowError& e) {
    return e.code();
  }
  return std::nullopt;
}
}  // namespace

TEST(ArtifactPath, AcceptsNormalPaths) {
  for (const char* p : {"1/abc/artifacts/model/MLmodel", "a.txt", "dir/sub/file.json",
                        "images/acc%step%0%timestamp%1700000000000%abc.png", "a..b/c", "x/...", "..hidden/x",
                        ".config", "a b/c+d", "eval:results.json", "x/C:", "\xef\xbc\x8e", "\xef\xbc\x8e\xef\xbc\x8e/x",
                        "\xe2\x80\xa4\xe2\x80\xa4", "caf\xc3\xa9/\xf0\x9f\x98\x80.png", "a%2Fb", "100%", "\xe2\x80\xae"}) {
    EXPECT_EQ(canonical_artifact_path(p, PathKind::File), p) << p;
    EXPECT_EQ(canonical_artifact_path(p, PathKind::Directory), p) << p;
  }
  EXPECT_EQ(canonical_artifact_path("", PathKind::Directory), "");
  EXPECT_EQ(canonical_artifact_path("a/b/", PathKind::Directory), "a/b");
  EXPECT_EQ(canonical_artifact_path("1/" + kRun + "/artifacts/", PathKind::Directory), "1/" + kRun + "/artifacts");
}

TEST(ArtifactPath, RejectsTraversalInEveryEncoding) {
  // As the handlers see them: after the HTTP layer's single percent-decoding.
  for (const char* p : {"..", "../x", "a/../../x", "a/..", ".", "./", "./.", "a/.", "a/./b", "%2e", "%2e/", "%2E%2E",
                        "%2e%2e/x", "%2E%2E%2Fx", "a/%252e%252e/b", "%252e", "%25252e%25252e/x", "/etc/passwd",
                        "%2Fetc%2Fpasswd", "a\\b", "..\\x", "%5c..%5cx", "C:\\x", "c:/x", "C:", "c:x", "\\\\server\\share",
                        "a#b", "a%23b", "file:///etc/passwd", "file:/etc/passwd", "file:etc", "s3://bucket/x", "S3:x",
                        "http://h/x", "mlflow-artifacts:/1", "x:/y", "a//b", "//", "/", "a//", "a%2F%2Fb", "%2F",
                        "\xc0\xae", "\xc0\xae\xc0\xae/x", "%c0%ae", "%C0%AE%C0%AE/x", "\xe0\x80\xae", "%e0%80%ae",
                        "\xc0\xaf", "\xed\xa0\x80", "\xff", "a\xe2\x80", "a\x01", "a\x1f/b", "a\x7f", "%00", "a%00b",
                        "a\xc2\x85", "a%2F", "x/%252f", "%2f%2f"}) {
    EXPECT_EQ(refusal([&] { canonical_artifact_path(p, PathKind::Directory); }), ErrorCode::INVALID_PARAMETER_VALUE)
        << p;
    EXPECT_EQ(refusal([&] { canonical_artifact_path(p, PathKind::File); }), ErrorCode::INVALID_PARAMETER_VALUE) << p;
  }
  EXPECT_THROW(canonical_artifact_path(std::string("a\0b", 3), PathKind::File), MlflowError);
  EXPECT_THROW(canonical_artifact_path(std::string("\0", 1), PathKind::Directory), MlflowError);
  EXPECT_THROW(canonical_artifact_path(std::string(256, 'a'), PathKind::File), MlflowError);
  EXPECT_THROW(canonical_artifact_path(std::string(4097, '/'), PathKind::File), MlflowError);
  EXPECT_NO_THROW(canonical_artifact_path(std::string(255, 'a'), PathKind::File));
  std::string deep = "%2e";
  for (int i = 0; i < 8; ++i) deep.insert(1, "25");
  EXPECT_THROW(canonical_artifact_path("x" + deep, PathKind::File), MlflowError);  // 9 decodings
}

TEST(ArtifactPath, FileNeedsAName) {
  for (const char* p : {"", "a/", "1/x/artifacts/"})
    EXPECT_EQ(refusal([&] { canonical_artifact_path(p, PathKind::File); }), ErrorCode::INVALID_PARAMETER_VALUE) << p;
}

TEST(ArtifactPath, DeletesOnlyInsideAnEntityArtifactDirectory) {
  const std::string model = "m-" + kRun, trace = "tr-" + kRun;
  for (const auto& p : std::vector<std::string>{"1/" + kRun + "/artifacts", "1/" + kRun + "/artifacts/", "1/" + kRun + "/artifacts/model/x",
                        "1/models/" + model + "/artifacts", "1/models/" + model + "/artifacts/MLmodel",
                        "1/traces/" + trace + "/artifacts", "team/proj/" + kRun + "/artifacts",
                        kRun + "/artifacts"}) {
    EXPECT_EQ(canonical_deletable_artifact_path(p), canonical_artifact_path(p, PathKind::Directory)) << p;
  }
  for (const auto& p : std::vector<std::string>{"", "1", "1/", "1/" + kRun, "1/models",
                        "1/models/" + model, "1/" + kRun + "/artifactsx", "1/" + kRun + "x/artifacts",
                        "1/" + kRun.substr(1) + "/artifacts", "1/0123456789ABCDEF0123456789ABCDEF/artifacts",
                        "1/x/artifacts", "artifacts", "artifacts/x", "1/m-/artifacts", "team/proj"}) {
    EXPECT_EQ(refusal([&] { canonical_deletable_artifact_path(p); }), ErrorCode::PERMISSION_DENIED) << p;
  }
  // The requests of issue #13, as the handler sees them: refused before any rule about deletes.
  for (const char* p : {".", "./", "./.", "%2e", "%2e/", "1/.", "1/" "0123456789abcdef0123456789abcdef/artifacts/.."})
    EXPECT_EQ(refusal([&] { canonical_deletable_artifact_path(p); }), ErrorCode::INVALID_PARAMETER_VALUE) << p;
}

namespace {

// Random paths from a hostile alphabet: dots and slashes in every encoding, overlong UTF-8,
// fullwidth and other Unicode dots, controls, drive letters and schemes, real entity names.
std::string random_path(std::mt19937& rng) {
  static const std::vector<std::string> kTokens = {
      ".",  "..", "/",  "//", "\\", "%",  "2",  "e",  "E",  "f",  "F",   "5",   "c",   "%2e", "%2E", "%2f", "%2F",
      "%5c", "%25", "%252e", "%c0", "%ae", "%C0%AE", "c0", "ae", "\xc0", "\xae", "\xc0\xae", "\xe0\x80\xae",
      std::string(1, '\0'), "\x01", "\x7f", "\n", "\xef\xbc\x8e", "\xe2\x80\xa4", "\xef\xbc\x8f", "\xc3\xa9",
      "\xff", "a",  "b",  "x.txt", ":",  "C:", "file:", "s3:", "#", " ", "+", "1", "artifacts", "models",
      kRun, "m-" + kRun, "tr-" + kRun};
  std::uniform_int_distribution<std::size_t> len(0, 12), pick(0, kTokens.size() - 1), start(0, 3);
  std::string out;
  if (start(rng) == 0) out = "1/" + kRun + "/artifacts/";  // a real run's directory, then hostile tokens
  for (std::size_t n = len(rng); n > 0; --n) out += kTokens[pick(rng)];
  return out;
}

std::string fully_decoded(std::string s) {
  for (int i = 0; i < 32; ++i) {
    auto next = sextant::util::percent_decode(s);
    if (next == s) break;
    s = std::move(next);
  }
  return s;
}

// What every accepted path must satisfy, whatever decodes it downstream.
void expect_confined(const std::string& input, const std::string& c, PathKind kind) {
  SCOPED_TRACE("input: " + ::testing::PrintToString(input) + " canonical: " + ::testing::PrintToString(c));
  EXPECT_EQ(canonical_artifact_path(c, kind), c);  // a fixed point
  if (kind == PathKind::File) {
    EXPECT_FALSE(c.empty());
  }
  for (const auto& form : {c, fully_decoded(c)}) {
    EXPECT_FALSE(form.starts_with('/'));
    EXPECT_EQ(form.find('\\'), std::string::npos);
    EXPECT_EQ(form.find('\0'), std::string::npos);
    if (form.empty()) continue;
    for (const auto& seg : sextant::util::split(form, '/')) {
      EXPECT_NE(seg, "");
      EXPECT_NE(seg, ".");
      EXPECT_NE(seg, "..");
    }
  }
  for (unsigned char ch : c) EXPECT_GE(ch, 0x20);
  // Strictly inside the root (the root itself only as the Directory "").
  const std::filesystem::path root = "/srv/artifact-root";
  auto resolved = (root / c).lexically_normal();
  auto rel = resolved.lexically_relative(root);
  if (c.empty()) {
    EXPECT_EQ(rel, ".");
  } else {
    ASSERT_FALSE(rel.empty());
    EXPECT_NE(*rel.begin(), "..") << rel;
    EXPECT_NE(*rel.begin(), ".") << rel;
  }
}

}  // namespace

TEST(ArtifactPathProperty, EveryInputIsConfinedOrRefused) {
  std::mt19937 rng(20261207);
  int accepted = 0, refused = 0, deletable = 0;
  for (int i = 0; i < 20000; ++i) {
    auto input = random_path(rng);
    for (auto kind : {PathKind::File, PathKind::Directory}) {
      std::string c;
      try {
        c = canonical_artifact_path(input, kind);
      } catch (const MlflowError& e) {
        EXPECT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE);
        ++refused;
        continue;
      }
      ++accepted;
      expect_confined(input, c, kind);
    }
    try {
      auto c = canonical_deletable_artifact_path(input);
      ++deletable;
      EXPECT_FALSE(c.empty()) << input;
      EXPECT_NE(std::filesystem::path("/srv/artifact-root") / c, std::filesystem::path("/srv/artifact-root/")) << input;
      EXPECT_TRUE(artifact_path_deletable(c));
      EXPECT_TRUE(c.find(kRun + "/artifacts") != std::string::npos) << input;
    } catch (const MlflowError& e) {
      EXPECT_TRUE(e.code() == ErrorCode::INVALID_PARAMETER_VALUE || e.code() == ErrorCode::PERMISSION_DENIED);
    }
    if (HasFailure()) break;  // one counterexample is enough
  }
  RecordProperty("accepted", accepted);
  RecordProperty("refused", refused);
  RecordProperty("deletable", deletable);
  // The generator must exercise both sides (otherwise the property says nothing).
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 1000);
  EXPECT_GT(deletable, 0);
}

namespace {
using sextant::artifacts::StringSource;

std::filesystem::path temp_dir() {
  auto d = std::filesystem::temp_directory_path() /
           ("sextant-art-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}
}  // namespace

TEST(LocalArtifactRepo, WriteListReadRemove) {
  auto dir = temp_dir();
  LocalArtifactRepo repo(dir / "root");
  StringSource src("hello");
  repo.write("1/run/artifacts/sub/a.txt", src);
  auto file = repo.local_file("1/run/artifacts/sub/a.txt");
  ASSERT_TRUE(file);
  std::ifstream in(*file);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content, "hello");
  auto listing = repo.list("1/run/artifacts", "");
  ASSERT_EQ(listing.size(), 1u);
  EXPECT_EQ(listing[0].path, "sub");
  EXPECT_TRUE(listing[0].is_dir);
  auto files = repo.list("1/run/artifacts/sub", "sub/");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "sub/a.txt");
  EXPECT_EQ(files[0].file_size, 5);
  EXPECT_TRUE(repo.list("missing", "").empty());
  EXPECT_TRUE(repo.list("1/run/artifacts/sub/a.txt", "").empty());  // a file lists as empty
  repo.remove("1/run/artifacts/sub");
  EXPECT_FALSE(repo.local_file("1/run/artifacts/sub/a.txt"));
  EXPECT_NO_THROW(repo.remove("never/existed"));
  std::filesystem::remove_all(dir);
}

TEST(LocalArtifactRepo, RefusesEscapes) {
  auto dir = temp_dir();
  LocalArtifactRepo repo(dir / "root");
  StringSource src("x");
  EXPECT_THROW(repo.write("../outside.txt", src), MlflowError);
  EXPECT_THROW(repo.write("%2e%2e/outside.txt", src), MlflowError);
  EXPECT_FALSE(std::filesystem::exists(dir / "outside.txt"));
  // A symlink inside the root that points outside must not be followed.
  std::filesystem::create_directories(dir / "root");
  std::filesystem::create_directories(dir / "elsewhere");
  std::filesystem::create_directory_symlink(dir / "elsewhere", dir / "root" / "link");
  StringSource src2("y");
  EXPECT_THROW(repo.write("link/evil.txt", src2), MlflowError);
  EXPECT_FALSE(std::filesystem::exists(dir / "elsewhere" / "evil.txt"));
  EXPECT_THROW(repo.remove(""), MlflowError);  // never delete the root itself
  std::filesystem::remove_all(dir);
}

namespace {
// <root>/1/<run>/artifacts/a.txt, <root>/1/models/m-<run>/artifacts/MLmodel, <root>/2/keep.txt
// and <dir>/outside.txt, recreated where missing.
void make_tree(const std::filesystem::path& dir) {
  for (const auto& rel : {"root/1/" + kRun + "/artifacts/a.txt", "root/1/models/m-" + kRun + "/artifacts/MLmodel",
                          std::string("root/2/keep.txt"), std::string("outside.txt")}) {
    auto p = dir / rel;
    if (std::filesystem::exists(p)) continue;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << "x";
  }
}
}  // namespace

TEST(LocalArtifactRepo, IssueRequestsNeverRemoveTheRoot) {
  auto dir = temp_dir();
  make_tree(dir);
  LocalArtifactRepo repo(dir / "root");
  for (const char* p : {"", "/", ".", "./", "./.", "%2e", "%2e/", ".//", "%2e%2f", "1/..", "1/../", "1/%2e%2e"}) {
    EXPECT_THROW(repo.remove(p), MlflowError) << p;
    EXPECT_THROW(canonical_deletable_artifact_path(p), MlflowError) << p;
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "root/2/keep.txt"));
  EXPECT_TRUE(std::filesystem::exists(dir / ("root/1/" + kRun + "/artifacts/a.txt")));
  std::filesystem::remove_all(dir);
}

TEST(LocalArtifactRepo, RemoveNeverPassesThroughASymlink) {
  auto dir = temp_dir();
  make_tree(dir);
  LocalArtifactRepo repo(dir / "root");
  auto run_dir = dir / ("root/1/" + kRun + "/artifacts");
  std::filesystem::create_directory_symlink(dir / "root", run_dir / "up");  // made outside the API
  auto through = "1/" + kRun + "/artifacts/up/2";
  EXPECT_THROW(repo.remove(canonical_deletable_artifact_path(through)), MlflowError);
  EXPECT_TRUE(std::filesystem::exists(dir / "root/2/keep.txt"));
  repo.remove("1/" + kRun + "/artifacts/up");  // the link itself, not what it points to
  EXPECT_FALSE(std::filesystem::is_symlink(run_dir / "up"));
  EXPECT_TRUE(std::filesystem::exists(dir / "root/2/keep.txt"));
  std::filesystem::remove_all(dir);
}

TEST(LocalArtifactRepoProperty, RandomDeletesStayInsideTheRootAndEntityDirectories) {
  auto dir = temp_dir();
  LocalArtifactRepo repo(dir / "root");
  std::mt19937 rng(7);
  int removed = 0;
  for (int i = 0; i < 3000; ++i) {
    make_tree(dir);
    auto input = random_path(rng);
    // Through the DELETE route's rule: experiment directories and the root always survive.
    try {
      repo.remove(canonical_deletable_artifact_path(input));
      ++removed;
    } catch (const MlflowError&) {
    }
    ASSERT_TRUE(std::filesystem::exists(dir / "root/2/keep.txt")) << ::testing::PrintToString(input);
    ASSERT_TRUE(std::filesystem::is_directory(dir / "root/1")) << ::testing::PrintToString(input);
    // The repository alone: never the root, never outside it.
    try {
      repo.remove(input);
    } catch (const MlflowError&) {
    }
    ASSERT_TRUE(std::filesystem::is_directory(dir / "root")) << ::testing::PrintToString(input);
    ASSERT_TRUE(std::filesystem::exists(dir / "outside.txt")) << ::testing::PrintToString(input);
  }
  EXPECT_GT(removed, 0);
  std::filesystem::remove_all(dir);
}
