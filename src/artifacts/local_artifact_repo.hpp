// Artifacts on local disk under one root directory. Every relative path is checked with
// validate_artifact_path and must resolve inside the root (symlinks included), otherwise
// INVALID_PARAMETER_VALUE. Writes go to a temporary file that is renamed into place, so readers
// never see half-written files. Thread-safe (no shared mutable state besides the filesystem).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "artifacts/byte_source.hpp"
#include "core/entities.hpp"

namespace sextant::artifacts {

class LocalArtifactRepo {
 public:
  // The root need not exist yet (it is created by the first write).
  explicit LocalArtifactRepo(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  // Streams `source` to <root>/<relative>, creating parent directories, replacing any file.
  void write(std::string_view relative, ByteSource& source) const;
  // The file to serve, or nullopt when it does not exist or is a directory.
  std::optional<std::filesystem::path> file(std::string_view relative) const;
  // Direct children of <root>/<relative> with `prefix` + basename as path, sorted by path;
  // empty when the directory does not exist or is a file.
  std::vector<core::FileInfo> list(std::string_view relative, const std::string& prefix) const;
  // Removes a file or a directory tree; a missing path is a no-op.
  void remove(std::string_view relative) const;

 private:
  std::filesystem::path resolve(std::string_view relative) const;
  std::filesystem::path root_;
};

}  // namespace sextant::artifacts
