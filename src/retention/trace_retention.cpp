#include "retention/trace_retention.hpp"

#include <algorithm>
#include <exception>

#include "artifacts/artifact_path.hpp"
#include "core/artifact_uri.hpp"
#include "core/error.hpp"

namespace sextant::retention {

namespace {
std::shared_ptr<const artifacts::ArtifactRepo> borrowed(const artifacts::ArtifactRepo& repo) {
  return std::shared_ptr<const artifacts::ArtifactRepo>(std::shared_ptr<void>(), &repo);
}
}  // namespace

TraceRetention::TraceRetention(store::TraceStore& traces, const artifacts::ArtifactRepo* destination,
                               const artifacts::ArtifactStores* stores, Log log)
    : traces_(traces), destination_(destination), stores_(stores), log_(std::move(log)) {}

TraceRetention::ArtifactOutcome TraceRetention::remove_artifacts(const store::ExpiredTrace& t) {
  ArtifactOutcome outcome;
  const std::string relative = "traces/" + t.trace_id;
  // The tag is only compared, never followed: clients can set it to anything.
  if (t.artifact_location &&
      *t.artifact_location != core::artifact_uri_join(t.experiment_artifact_location, relative + "/artifacts")) {
    log_("trace " + t.trace_id + ": artifact location '" + *t.artifact_location +
         "' left alone: it is not the trace's own directory under its experiment's artifact location");
    outcome.refused = true;
  }
  auto skip = [&](const std::string& why) {
    log_("trace " + t.trace_id + ": its directory is not removed: " + why);
    outcome.refused = true;
    return outcome;
  };
  // One segment, nothing to decode or resolve: "traces/<id>" is its own canonical form.
  try {
    if (t.trace_id.find('/') != std::string::npos ||
        artifacts::canonical_artifact_path(relative, artifacts::PathKind::Directory) != relative) {
      return skip("the trace id is not a plain path segment");
    }
  } catch (const core::MlflowError&) {
    return skip("the trace id is not a plain path segment");
  }
  try {
    std::shared_ptr<const artifacts::ArtifactRepo> repo;
    std::string base;
    std::string mapped;
    if (core::proxied_artifact_path(t.experiment_artifact_location, mapped)) {
      if (!destination_) {
        log_("trace " + t.trace_id + ": kept: its artifacts are proxied and no artifacts destination is configured");
        outcome.failed = true;
        return outcome;
      }
      repo = borrowed(*destination_);
      base = artifacts::canonical_artifact_path(mapped, artifacts::PathKind::Directory);
    } else if (stores_ && stores_->allowed(t.experiment_artifact_location)) {
      repo = stores_->open(t.experiment_artifact_location);
    } else {
      return skip("its experiment's artifact location is outside the configured artifact roots");
    }
    repo->remove(base.empty() ? relative : base + "/" + relative);
    outcome.removed = true;
  } catch (const std::exception& e) {
    log_("trace " + t.trace_id + ": kept: removing its artifact directory failed: " + e.what());
    outcome.failed = true;
  }
  return outcome;
}

RetentionReport TraceRetention::run(const RetentionOptions& options, std::int64_t now_ms) {
  RetentionReport report;
  const std::int64_t before = now_ms - options.older_than_ms;
  const std::size_t batch_size = std::max<std::size_t>(options.batch_size, 1);
  for (;;) {
    // The traces kept earlier in this pass come first again (oldest first): read past them.
    const auto skip = static_cast<std::size_t>(report.traces_kept);
    const std::size_t requested = batch_size + skip;
    auto batch = traces_.expired_traces(options.experiment_ids, before, requested);
    std::vector<std::string> ids;
    std::map<std::string, std::int64_t> per_experiment;
    for (std::size_t i = skip; i < batch.size(); ++i) {
      const auto& t = batch[i];
      auto outcome = remove_artifacts(t);
      report.artifact_dirs_removed += outcome.removed;
      report.artifact_locations_refused += outcome.refused;
      if (outcome.failed) {
        ++report.traces_kept;
        continue;
      }
      ids.push_back(t.trace_id);
      ++per_experiment[t.experiment_id];
    }
    if (ids.empty()) break;
    report.traces_deleted += traces_.purge_traces(ids);
    ++report.batches;
    for (const auto& [experiment, n] : per_experiment) report.deleted_per_experiment[experiment] += n;
    if (batch.size() < requested) break;
  }
  return report;
}

}  // namespace sextant::retention
