// ScorerStore in MLflow's schema (scorers, scorer_versions) on the shared Database. One
// experiment's scorer writes go to one writer (affinity: "scorers/<experiment id>"), so two
// registrations of a name never race for its next version. Thread-safe.
#pragma once

#include "store/scorer_store.hpp"
#include "store/sql/database.hpp"

namespace sextant::store::sql {

class SqlScorerStore final : public ScorerStore {
 public:
  explicit SqlScorerStore(Database& database) : db_(database) {}

  core::ScorerVersion register_scorer(const std::string& experiment_id, const std::string& name,
                                      const std::string& serialized_scorer) override;
  std::vector<core::ScorerVersion> list_scorers(const std::string& experiment_id) override;
  std::vector<core::ScorerVersion> list_scorer_versions(const std::string& experiment_id,
                                                        const std::string& name) override;
  core::ScorerVersion get_scorer(const std::string& experiment_id, const std::string& name,
                                 std::optional<std::int64_t> version) override;
  void delete_scorer(const std::string& experiment_id, const std::string& name,
                     std::optional<std::int64_t> version) override;

 private:
  Database& db_;
};

}  // namespace sextant::store::sql
