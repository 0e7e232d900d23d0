// The scorer store: MLflow 3.6's registered scorers, versioned per (experiment, name)
// (docs/design/tracing/datasets-scorers-prompts.md §2). Implementations are thread-safe; every
// method is one transaction. Every method first requires the experiment: 404 "No Experiment with
// id=<id> exists", 400 "The experiment <id> must be in the 'active' state. ..." when deleted.
// Missing scorers: 404 "Scorer with name '<n>' not found for experiment <e>." or "Scorer with name
// '<n>' and version <v> not found for experiment <e>.".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/evaluation_dataset.hpp"

namespace sextant::store {

class ScorerStore {
 public:
  virtual ~ScorerStore() = default;

  // Version max + 1 of the name's versions (1 for a new name, with a new scorer_id).
  virtual core::ScorerVersion register_scorer(const std::string& experiment_id, const std::string& name,
                                              const std::string& serialized_scorer) = 0;
  // The latest version of each name, by name.
  virtual std::vector<core::ScorerVersion> list_scorers(const std::string& experiment_id) = 0;
  // Every version of a name, ascending.
  virtual std::vector<core::ScorerVersion> list_scorer_versions(const std::string& experiment_id,
                                                                const std::string& name) = 0;
  // That version, or the latest.
  virtual core::ScorerVersion get_scorer(const std::string& experiment_id, const std::string& name,
                                         std::optional<std::int64_t> version) = 0;
  // That version (the name stays), or every version and the name.
  virtual void delete_scorer(const std::string& experiment_id, const std::string& name,
                             std::optional<std::int64_t> version) = 0;
};

}  // namespace sextant::store
