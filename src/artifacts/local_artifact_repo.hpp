// Artifacts on local disk under one root directory. Every relative path is checked with
// canonical_artifact_path and must resolve inside the root (symlinks included), otherwise
// INVALID_PARAMETER_VALUE. Writes go to a temporary file that is renamed into place, so readers
// never see half-written files. Thread-safe (no shared mutable state besides the filesystem).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "artifacts/artifact_path.hpp"
#include "artifacts/artifact_repo.hpp"

namespace sextant::artifacts {

class LocalArtifactRepo final : public ArtifactRepo {
 public:
  // The root need not exist yet (it is created by the first write).
  explicit LocalArtifactRepo(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::string root_uri() const override { return root_.string(); }
  // Creates parent directories as needed.
  void write(std::string_view relative, ByteSource& source) const override;
  std::optional<FileStat> stat(std::string_view relative) const override;
  void read(std::string_view relative, const std::optional<ByteRange>& range, const FileStat* expected,
            ByteSink& sink) const override;
  // The file to serve, or nullopt when it does not exist or is a directory.
  std::optional<std::filesystem::path> local_file(std::string_view relative) const override;
  std::vector<core::FileInfo> list(std::string_view relative, const std::string& prefix) const override;
  void remove(std::string_view relative) const override;

 private:
  std::filesystem::path resolve(std::string_view relative, PathKind kind) const;
  std::filesystem::path root_;
};

}  // namespace sextant::artifacts
