#include "core/webhook.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

#include "core/error.hpp"
#include "util/strings.hpp"

namespace sextant::core {

namespace {

struct EntityActions {
  const char* entity;
  std::vector<const char*> actions;  // sorted, as MLflow's message lists them
};

// MLflow's VALID_ENTITY_ACTIONS.
const std::array<EntityActions, 9>& valid_entity_actions() {
  static const std::array<EntityActions, 9> table{{
      {"registered_model", {"created"}},
      {"model_version", {"created"}},
      {"model_version_tag", {"deleted", "set"}},
      {"model_version_alias", {"created", "deleted"}},
      {"prompt", {"created"}},
      {"prompt_version", {"created"}},
      {"prompt_tag", {"deleted", "set"}},
      {"prompt_version_tag", {"deleted", "set"}},
      {"prompt_alias", {"created", "deleted"}},
  }};
  return table;
}

constexpr std::array<const char*, 4> kActions{"created", "updated", "deleted", "set"};

std::string lower(std::string_view s) { return util::to_lower(s); }

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Python's ipaddress.ip_address() acceptance, close enough: a dotted IPv4 or an IPv6 literal.
bool is_ip_literal(const std::string& host, bool& is_v4) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) {
    is_v4 = true;
    return true;
  }
  is_v4 = false;
  return inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// urllib.parse._check_bracketed_host.
void check_bracketed_host(const std::string& host) {
  if (!host.empty() && host[0] == 'v') {
    auto dot = host.find('.');
    bool ok = dot != std::string::npos && dot > 1 && dot + 1 < host.size();
    for (std::size_t i = 1; ok && i < dot; ++i) ok = std::isxdigit(static_cast<unsigned char>(host[i])) != 0;
    if (!ok) throw std::invalid_argument("IPvFuture address is invalid");
    return;
  }
  bool v4 = false;
  if (!is_ip_literal(host, v4)) throw std::invalid_argument(util::python_repr(host) + " does not appear to be an IPv4 or IPv6 address");
  if (v4) throw std::invalid_argument("An IPv4 address cannot be in brackets");
}

}  // namespace

std::string to_string(const WebhookEvent& e) { return e.entity + "." + e.action; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

WebhookEvent webhook_event_from_proto_names(std::string_view entity, std::string_view action) {
  const auto& table = valid_entity_actions();
  std::string e = lower(entity), a = lower(action);
  auto row = std::find_if(table.begin(), table.end(), [&](const EntityActions& r) { return e == r.entity; });
  if (row == table.end() || entity != upper(e)) {
    throw_invalid("Invalid webhook event entity: " + util::python_repr(std::string(entity)) + ".");
  }
  if (std::find(kActions.begin(), kActions.end(), a) == kActions.end() || action != upper(a)) {
    throw_invalid("Invalid webhook event action: " + util::python_repr(std::string(action)) + ".");
  }
  if (std::none_of(row->actions.begin(), row->actions.end(), [&](const char* x) { return a == x; })) {
    std::string valid = "[";
    for (std::size_t i = 0; i < row->actions.size(); ++i) valid += (i ? ", '" : "'") + std::string(row->actions[i]) + "'";
    throw_invalid("Invalid action '" + a + "' for entity '" + e + "'. Valid actions are: " + valid + "]");
  }
  return {e, a};
}

std::string webhook_status_from_proto_name(std::string_view status) {
  if (status == kWebhookActive || status == kWebhookDisabled) return std::string(status);
  throw_invalid("Invalid webhook status: " + util::python_repr(std::string(status)) +
                ". Valid statuses are: ACTIVE, DISABLED.");
}

void validate_webhook_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 63 && alnum(name.front()) && alnum(name.back()) &&
            std::all_of(name.begin(), name.end(), [](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
  if (!ok) {
    throw_invalid("Webhook name " + util::python_repr(name) +
                  " is invalid. It must start and end with a letter or digit, be less than 63 characters long, and "
                  "contain only letters, digits, dots (.), underscores (_), and hyphens (-).");
  }
}

std::string python_url_scheme(std::string_view input) {
  // url.lstrip(C0 control or space), then tab / CR / LF removed anywhere.
  std::size_t start = 0;
  while (start < input.size() && static_cast<unsigned char>(input[start]) <= 0x20) ++start;
  std::string url;
  for (char c : input.substr(start))
    if (c != '\t' && c != '\r' && c != '\n') url += c;
  std::string scheme;
  auto colon = url.find(':');
  if (colon != std::string::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(url[0]))) {
    bool valid = std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
    if (valid) {
      scheme = lower(url.substr(0, colon));
      url = url.substr(colon + 1);
    }
  }
  if (url.starts_with("//")) {
    auto end = url.find_first_of("/?#", 2);
    std::string netloc = url.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    bool open = netloc.find('[') != std::string::npos, close = netloc.find(']') != std::string::npos;
    if (open != close) throw std::invalid_argument("Invalid IPv6 URL");
    if (open) {
      auto from = netloc.find('[') + 1;
      auto to = netloc.find(']', from);
      check_bracketed_host(netloc.substr(from, to == std::string::npos ? std::string::npos : to - from));
    }
  }
  return scheme;
}

void validate_webhook_url(std::string_view url, const std::vector<std::string>& allowed_schemes) {
  if (util::trim(url).empty()) {
    throw_invalid("Webhook URL cannot be empty or just whitespace: " + util::python_repr(url));
  }
  std::string scheme;
  try {
    scheme = python_url_scheme(url);
  } catch (const std::invalid_argument& e) {
    throw_invalid("Invalid webhook URL " + util::python_repr(url) + ": ValueError(" + util::python_repr(e.what()) + ")");
  }
  if (std::find(allowed_schemes.begin(), allowed_schemes.end(), scheme) == allowed_schemes.end()) {
    throw_invalid("Invalid webhook URL scheme: " + util::python_repr(scheme) +
                  ". Allowed schemes are: " + util::join(allowed_schemes, ", ") + ".");
  }
}

void validate_webhook_events(const std::vector<WebhookEvent>& events) {
  if (events.empty()) throw_invalid("Webhook events must be a non-empty list of WebhookEvent objects: [].");
}

}  // namespace sextant::core
