#include "artifacts/artifact_path.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "artifacts/local_artifact_repo.hpp"
#include "core/error.hpp"

using sextant::artifacts::LocalArtifactRepo;
using sextant::artifacts::validate_artifact_path;
using sextant::core::MlflowError;

TEST(ArtifactPath, AcceptsNormalPaths) {
  for (const char* p : {"1/abc/artifacts/model/MLmodel", "a.txt", "dir/sub/file.json",
                        "images/acc%step%0%timestamp%1700000000000%abc.png", "a..b/c", "x/...", ""}) {
    EXPECT_NO_THROW(validate_artifact_path(p)) << p;
  }
}

TEST(ArtifactPath, RejectsTraversalInEveryEncoding) {
  for (const char* p : {"..", "../x", "a/../../x", "a/..", "%2e%2e/x", "%2E%2E%2Fx", "a/%252e%252e/b",
                        "%25252e%25252e/x", "/etc/passwd", "%2Fetc%2Fpasswd", "a\\b", "..\\x", "%5c..%5cx",
                        "C:\\x", "c:/x", "\\\\server\\share", "a#b", "a%23b", "file:///etc/passwd"}) {
    EXPECT_THROW(validate_artifact_path(p), MlflowError) << p;
  }
  EXPECT_THROW(validate_artifact_path(std::string("a\0b", 3)), MlflowError);
}

namespace {
class StringSource : public sextant::artifacts::ByteSource {
 public:
  explicit StringSource(std::string s) : data_(std::move(s)) {}
  std::size_t read(char* buf, std::size_t n) override {
    n = std::min(n, data_.size() - pos_);
    std::copy_n(data_.data() + pos_, n, buf);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};

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
