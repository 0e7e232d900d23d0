// The registry's webhook events (mlflow/server/handlers.py): a RegistryStore that forwards every
// call to the real store and, after a write has committed, publishes the event MLflow's handler
// fires for it, with MLflow's payload built from the request's values:
//   create_registered_model  -> registered_model.created | prompt.created (tags name the prompt)
//   create_model_version     -> model_version.created | prompt_version.created
//   set/delete_model_version_tag  -> model_version_tag.set/deleted | prompt_version_tag.*
//   set/delete_registered_model_tag (prompts only) -> prompt_tag.set/deleted
//   set/delete_registered_model_alias -> model_version_alias.created/deleted | prompt_alias.*
// Whether a model is a prompt is read (tag mlflow.prompt.is_prompt = true) only when some webhook
// listens to one of the two events. Publishing never fails the request.
#pragma once

#include "store/registry_store.hpp"
#include "webhooks/webhook_dispatcher.hpp"

namespace sextant::webhooks {

class EventFiringRegistryStore final : public store::RegistryStore {
 public:
  EventFiringRegistryStore(store::RegistryStore& inner, WebhookDispatcher& dispatcher)
      : inner_(inner), dispatcher_(dispatcher) {}

  core::RegisteredModel create_registered_model(const std::string& name, const std::vector<core::Tag>& tags,
                                                const std::string& description) override;
  core::RegisteredModel get_registered_model(const std::string& name) override {
    return inner_.get_registered_model(name);
  }
  core::RegisteredModel rename_registered_model(const std::string& name, const std::string& new_name) override {
    return inner_.rename_registered_model(name, new_name);
  }
  core::RegisteredModel update_registered_model(const std::string& name, const std::string& description) override {
    return inner_.update_registered_model(name, description);
  }
  void delete_registered_model(const std::string& name) override { inner_.delete_registered_model(name); }
  std::vector<core::RegisteredModel> search_registered_models(const store::RegistrySearchQuery& query) override {
    return inner_.search_registered_models(query);
  }
  std::vector<core::ModelVersion> get_latest_versions(const std::string& name,
                                                      const std::vector<std::string>& stages) override {
    return inner_.get_latest_versions(name, stages);
  }
  void set_registered_model_tag(const std::string& name, const core::Tag& tag) override;
  void delete_registered_model_tag(const std::string& name, const std::string& key) override;

  core::ModelVersion create_model_version(const store::NewModelVersion& version) override;
  core::ModelVersion get_model_version(const std::string& name, std::int64_t version) override {
    return inner_.get_model_version(name, version);
  }
  core::ModelVersion update_model_version(const std::string& name, std::int64_t version,
                                          const std::optional<std::string>& description) override {
    return inner_.update_model_version(name, version, description);
  }
  core::ModelVersion transition_model_version_stage(const std::string& name, std::int64_t version,
                                                    const std::string& stage, bool archive_existing_versions) override {
    return inner_.transition_model_version_stage(name, version, stage, archive_existing_versions);
  }
  void delete_model_version(const std::string& name, std::int64_t version) override {
    inner_.delete_model_version(name, version);
  }
  std::string get_model_version_download_uri(const std::string& name, std::int64_t version) override {
    return inner_.get_model_version_download_uri(name, version);
  }
  std::vector<core::ModelVersion> search_model_versions(const store::RegistrySearchQuery& query) override {
    return inner_.search_model_versions(query);
  }
  void set_model_version_tag(const std::string& name, std::int64_t version, const core::Tag& tag) override;
  void delete_model_version_tag(const std::string& name, std::int64_t version, const std::string& key) override;

  void set_registered_model_alias(const std::string& name, const std::string& alias, std::int64_t version) override;
  void delete_registered_model_alias(const std::string& name, const std::string& alias) override;
  core::ModelVersion get_model_version_by_alias(const std::string& name, const std::string& alias) override {
    return inner_.get_model_version_by_alias(name, alias);
  }

 private:
  // Publishes to the prompt or the model event, whichever applies to `name`, when anyone listens
  // (model_entity "": registered-model tags, which fire for prompts only).
  void fire(const std::string& name, const char* model_entity, const char* prompt_entity, const char* action,
            const Payload& data);

  store::RegistryStore& inner_;
  WebhookDispatcher& dispatcher_;
};

}  // namespace sextant::webhooks
