// RegistryStore over SQLite in MLflow's registry tables (mlflow-api.md §5.3), on the shared
// Database: reads in read transactions on pooled connections, each write request as one
// unit of the group-commit writer. Thread-safe. The database must outlive the store.
// Model version sources are checked against the tracking tables of the same database (runs,
// experiments, logged_models) inside the write, and the logged model's mlflow.modelVersions tag
// is updated in that same transaction.
#pragma once

#include <memory>

#include "store/registry_store.hpp"
#include "store/sql/database.hpp"

namespace sextant::store::sql {

// The store's statement texts for the served schema (pre-workspace or workspace-scoped), built
// once at construction (sql_registry_store.cpp).
struct RegistryStatements;

class SqlRegistryStore final : public RegistryStore {
 public:
  explicit SqlRegistryStore(Database& database);
  ~SqlRegistryStore() override;

  core::RegisteredModel create_registered_model(const std::string& name, const std::vector<core::Tag>& tags,
                                                const std::string& description) override;
  core::RegisteredModel get_registered_model(const std::string& name) override;
  core::RegisteredModel rename_registered_model(const std::string& name, const std::string& new_name) override;
  core::RegisteredModel update_registered_model(const std::string& name, const std::string& description) override;
  void delete_registered_model(const std::string& name) override;
  std::vector<core::RegisteredModel> search_registered_models(const RegistrySearchQuery& query) override;
  std::vector<core::ModelVersion> get_latest_versions(const std::string& name,
                                                      const std::vector<std::string>& stages) override;
  void set_registered_model_tag(const std::string& name, const core::Tag& tag) override;
  void delete_registered_model_tag(const std::string& name, const std::string& key) override;

  core::ModelVersion create_model_version(const NewModelVersion& version) override;
  core::ModelVersion get_model_version(const std::string& name, std::int64_t version) override;
  core::ModelVersion update_model_version(const std::string& name, std::int64_t version,
                                          const std::optional<std::string>& description) override;
  core::ModelVersion transition_model_version_stage(const std::string& name, std::int64_t version,
                                                    const std::string& stage, bool archive_existing_versions) override;
  void delete_model_version(const std::string& name, std::int64_t version) override;
  std::string get_model_version_download_uri(const std::string& name, std::int64_t version) override;
  std::vector<core::ModelVersion> search_model_versions(const RegistrySearchQuery& query) override;
  void set_model_version_tag(const std::string& name, std::int64_t version, const core::Tag& tag) override;
  void delete_model_version_tag(const std::string& name, std::int64_t version, const std::string& key) override;

  void set_registered_model_alias(const std::string& name, const std::string& alias, std::int64_t version) override;
  void delete_registered_model_alias(const std::string& name, const std::string& alias) override;
  core::ModelVersion get_model_version_by_alias(const std::string& name, const std::string& alias) override;

 private:
  void read(const std::function<void(db::Connection&)>& fn) { db_.read(fn); }
  void write(const std::function<void(db::Connection&)>& fn) { db_.write(fn); }

  Database& db_;
  std::unique_ptr<const RegistryStatements> sql_;
};

}  // namespace sextant::store::sql
