// Trace retention (`sextant gc`, docs/operations.md): deletes the traces older than a cut-off,
// oldest first, in bounded batches (each batch one short write through the store's writers, so
// a running server's writes wait at most one batch), with their spans, tags, metadata,
// assessments, entity associations and artifact directories.
//
// The artifacts removed are the trace's own directory, <experiment artifact location>/traces/<trace
// id>, derived from the experiment's location, never from the trace's tag mlflow.artifactLocation
// (clients can set it to anything): only when the trace id is one plain path segment and the
// experiment's location lies inside the configured artifact roots (the proxied destination, or
// ArtifactStores::allowed), through the artifact repository (local disk refuses symbolic links on
// the way, S3 deletes the prefix). A tag naming another place is left alone and reported.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "artifacts/artifact_repo.hpp"
#include "artifacts/artifact_stores.hpp"
#include "store/trace_store.hpp"

namespace sextant::retention {

struct RetentionOptions {
  std::int64_t older_than_ms = 0;           // traces with timestamp_ms < now - older_than_ms go
  std::vector<std::string> experiment_ids;  // empty: every experiment
  std::size_t batch_size = 500;             // traces per batch (per write)
};

struct RetentionReport {
  std::int64_t traces_deleted = 0;
  std::int64_t artifact_dirs_removed = 0;       // deleted traces' own directories removed
  std::int64_t artifact_locations_refused = 0;  // tags naming another place, directories out of reach
  std::int64_t traces_kept = 0;             // their artifacts could not be removed: kept for the next run
  std::int64_t batches = 0;
  std::map<std::string, std::int64_t> deleted_per_experiment;
};

class TraceRetention {
 public:
  using Log = std::function<void(const std::string&)>;
  // `destination` (null when artifacts are not served) holds proxied mlflow-artifacts:/ locations;
  // `stores` (null: no direct locations are touched) the other configured roots.
  TraceRetention(store::TraceStore& traces, const artifacts::ArtifactRepo* destination,
                 const artifacts::ArtifactStores* stores, Log log);

  // One pass: batches until no expired trace is left (or a batch can delete nothing).
  RetentionReport run(const RetentionOptions& options, std::int64_t now_ms);

 private:
  struct ArtifactOutcome {
    bool removed = false, refused = false, failed = false;  // failed: keep the trace for a later run
  };
  ArtifactOutcome remove_artifacts(const store::ExpiredTrace& trace);

  store::TraceStore& traces_;
  const artifacts::ArtifactRepo* destination_;
  const artifacts::ArtifactStores* stores_;
  Log log_;
};

}  // namespace sextant::retention
