#include "webhooks/registry_events.hpp"

#include <algorithm>
#include <exception>

#include "util/strings.hpp"

namespace sextant::webhooks {

namespace {

namespace reg = core::registry;
constexpr const char* kPromptTypeTag = "_mlflow_prompt_type";

bool has_prompt_tag(const std::vector<core::Tag>& tags) {
  return std::any_of(tags.begin(), tags.end(), [](const core::Tag& t) { return t.key == reg::kPromptTag; });
}

// {key: value} as Python's dict comprehension builds it: first position, last value.
Payload tag_dict(const std::vector<core::Tag>& tags, bool drop_prompt_keys = false, bool drop_text = false) {
  Payload out = Payload::object();
  for (const auto& t : tags) {
    if (drop_prompt_keys && (t.key == reg::kPromptTag || t.key == kPromptTypeTag)) continue;
    if (drop_text && t.key == reg::kPromptTextTag) continue;
    out[t.key] = t.value;
  }
  return out;
}

Payload null_if_empty(const std::string& s) { return s.empty() ? Payload(nullptr) : Payload(s); }

}  // namespace

void EventFiringRegistryStore::fire(const std::string& name, const char* model_entity, const char* prompt_entity,
                                    const char* action, const Payload& data) {
  try {
    core::WebhookEvent as_model{model_entity, action}, as_prompt{prompt_entity, action};
    if (!dispatcher_.has_subscribers(as_model) && !dispatcher_.has_subscribers(as_prompt)) return;
    auto model = inner_.get_registered_model(name);
    bool prompt = std::any_of(model.tags.begin(), model.tags.end(), [](const core::Tag& t) {
      return t.key == reg::kPromptTag && util::to_lower(t.value) == "true";
    });
    dispatcher_.publish(prompt ? as_prompt : as_model, data);
  } catch (const std::exception&) {
    // The write has committed; the event is best-effort (the model may be gone already).
  }
}

core::RegisteredModel EventFiringRegistryStore::create_registered_model(const std::string& name,
                                                                         const std::vector<core::Tag>& tags,
                                                                         const std::string& description) {
  auto out = inner_.create_registered_model(name, tags, description);
  bool prompt = has_prompt_tag(tags);
  Payload data{{"name", name}, {"tags", tag_dict(tags, prompt)}, {"description", description}};
  dispatcher_.publish({prompt ? "prompt" : "registered_model", "created"}, data);  // never throws
  return out;
}

void EventFiringRegistryStore::set_registered_model_tag(const std::string& name, const core::Tag& tag) {
  inner_.set_registered_model_tag(name, tag);
  fire(name, "", "prompt_tag", "set", Payload{{"name", name}, {"key", tag.key}, {"value", tag.value}});
}

void EventFiringRegistryStore::delete_registered_model_tag(const std::string& name, const std::string& key) {
  inner_.delete_registered_model_tag(name, key);
  fire(name, "", "prompt_tag", "deleted", Payload{{"name", name}, {"key", key}});
}

core::ModelVersion EventFiringRegistryStore::create_model_version(const store::NewModelVersion& v) {
  auto out = inner_.create_model_version(v);
  std::string version = std::to_string(out.version);
  if (v.is_prompt) {
    std::string text;
    bool has_text = false;
    for (const auto& t : v.tags)
      if (t.key == reg::kPromptTextTag) text = t.value, has_text = true;
    Payload data{{"name", v.name},
                 {"version", version},
                 {"template", has_text ? Payload(text) : Payload(nullptr)},
                 {"tags", tag_dict(v.tags, true, true)},
                 {"description", null_if_empty(v.description)}};
    dispatcher_.publish({"prompt_version", "created"}, data);
  } else {
    Payload data{{"name", v.name},
                 {"version", version},
                 {"source", v.source},
                 {"run_id", null_if_empty(v.run_id)},
                 {"tags", tag_dict(v.tags)},
                 {"description", null_if_empty(v.description)}};
    dispatcher_.publish({"model_version", "created"}, data);
  }
  return out;
}

void EventFiringRegistryStore::set_model_version_tag(const std::string& name, std::int64_t version,
                                                     const core::Tag& tag) {
  inner_.set_model_version_tag(name, version, tag);
  fire(name, "model_version_tag", "prompt_version_tag", "set",
       Payload{{"name", name}, {"version", std::to_string(version)}, {"key", tag.key}, {"value", tag.value}});
}

void EventFiringRegistryStore::delete_model_version_tag(const std::string& name, std::int64_t version,
                                                        const std::string& key) {
  inner_.delete_model_version_tag(name, version, key);
  fire(name, "model_version_tag", "prompt_version_tag", "deleted",
       Payload{{"name", name}, {"version", std::to_string(version)}, {"key", key}});
}

void EventFiringRegistryStore::set_registered_model_alias(const std::string& name, const std::string& alias,
                                                          std::int64_t version) {
  inner_.set_registered_model_alias(name, alias, version);
  fire(name, "model_version_alias", "prompt_alias", "created",
       Payload{{"name", name}, {"alias", alias}, {"version", std::to_string(version)}});
}

void EventFiringRegistryStore::delete_registered_model_alias(const std::string& name, const std::string& alias) {
  inner_.delete_registered_model_alias(name, alias);
  fire(name, "model_version_alias", "prompt_alias", "deleted", Payload{{"name", name}, {"alias", alias}});
}

}  // namespace sextant::webhooks
