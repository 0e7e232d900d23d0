// LoggedModelStore over SQLite in MLflow's schema (logged_models, logged_model_params,
// logged_model_tags, logged_model_metrics), on the Database shared with the tracking store
// (reads on pooled connections in read transactions, writes through the group-commit writer).
// Thread-safe. The database must outlive the store.
#pragma once

#include "store/logged_model_store.hpp"
#include "store/sql/database.hpp"

namespace sextant::store::sql {

class SqlLoggedModelStore final : public LoggedModelStore {
 public:
  explicit SqlLoggedModelStore(Database& database) : db_(database) {}

  core::LoggedModel create_logged_model(const NewLoggedModel& model) override;
  core::LoggedModel get_logged_model(const std::string& model_id) override;
  core::LoggedModel finalize_logged_model(const std::string& model_id, core::LoggedModelStatus status) override;
  void delete_logged_model(const std::string& model_id) override;
  void set_logged_model_tags(const std::string& model_id, const std::vector<core::Tag>& tags) override;
  void delete_logged_model_tag(const std::string& model_id, const std::string& key) override;
  void log_logged_model_params(const std::string& model_id, const std::vector<core::Param>& params) override;
  std::vector<core::LoggedModel> search_logged_models(const LoggedModelQuery& query) override;

 private:
  Database& db_;
};

}  // namespace sextant::store::sql
