#include "core/registry.hpp"

#include <charconv>

#include "core/error.hpp"
#include "core/validation.hpp"
#include "util/strings.hpp"

namespace sextant::core {

const std::vector<std::string>& all_stages() {
  static const std::vector<std::string> stages = {registry::kStageNone, registry::kStageStaging,
                                                  registry::kStageProduction, registry::kStageArchived};
  return stages;
}

std::string canonical_stage(std::string_view stage) {
  auto lower = util::to_lower(stage);
  for (const auto& s : all_stages()) {
    if (util::to_lower(s) == lower) return s;
  }
  throw_invalid("Invalid Model Version stage: " + std::string(stage) +
                ". Value must be one of None, Staging, Production, Archived.");
}

bool is_active_stage(std::string_view canonical) {
  return canonical == registry::kStageStaging || canonical == registry::kStageProduction;
}

std::int64_t parse_version(std::string_view version) {
  auto fail = [&]() -> std::int64_t {
    throw_invalid("Parameter 'version' must be an integer, got '" + std::string(version) + "'.");
  };
  std::string_view s = util::trim(version);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return fail();
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return fail();
  return value;
}

namespace {
bool is_alias_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c >= 0x80;  // non-ASCII letters (Python's Unicode \w) arrive as UTF-8
}
}  // namespace

void validate_alias_name(std::string_view alias) {
  if (alias.empty()) throw_invalid("Registered model alias name cannot be empty.");
  for (unsigned char c : alias) {
    if (!is_alias_byte(c)) {
      throw_invalid("Invalid alias name: '" + std::string(alias) +
                    "'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
    }
  }
  validate_length(alias, registry::kMaxAlias, "Registered model alias name");
}

bool is_latest_alias(std::string_view alias) { return util::to_lower(alias) == "latest"; }

void validate_alias_not_reserved(std::string_view alias) {
  if (is_latest_alias(alias)) throw_invalid("'latest' alias name (case insensitive) is reserved.");
  if (alias.size() >= 2 && (alias[0] == 'v' || alias[0] == 'V')) {
    bool digits = true;
    for (std::size_t i = 1; i < alias.size(); ++i) digits = digits && alias[i] >= '0' && alias[i] <= '9';
    if (digits) throw_invalid("Version alias name '" + std::string(alias) + "' is reserved.");
  }
}

void validate_model_name_length(std::string_view name, std::string_view what) {
  validate_length(name, registry::kMaxModelName, what);
}

void validate_registered_model_tag(const Tag& tag) {
  validate_entity_key(tag.key, "key");
  validate_length(tag.key, registry::kMaxTagKey, "key");
  validate_length(tag.value, registry::kMaxTagValue, "value");
}

void validate_model_version_tag(const Tag& tag) {
  validate_entity_key(tag.key, "key");
  validate_length(tag.key, registry::kMaxTagKey, "key");
  if (tag.key == registry::kPromptTextTag && util::utf8_length(tag.value) > registry::kMaxTagValue) {
    throw_invalid("Prompt text exceeds max length of " + std::to_string(registry::kMaxTagValue) + " characters.");
  }
  validate_length(tag.value, registry::kMaxTagValue, "value");
}

}  // namespace sextant::core
