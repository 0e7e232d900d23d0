#include "api/page_token.hpp"

#include <nlohmann/json.hpp>

#include "api/request_json.hpp"
#include "core/error.hpp"
#include "util/base64.hpp"
#include "util/python_json.hpp"
#include "util/strings.hpp"

namespace sextant::api {

std::string encode_page_token(std::int64_t offset) {
  return util::base64_encode("{\"offset\": " + std::to_string(offset) + "}");
}

namespace {
std::string shown(const std::string& text) { return excerpt(nlohmann::json(text)); }
}  // namespace

std::int64_t decode_page_token(const std::optional<std::string>& token) {
  if (!token || token->empty()) return 0;
  auto decoded = util::base64_decode(*token);
  if (!decoded) core::throw_invalid("Invalid page token, could not base64-decode. Underlying error: " + shown(*token));
  auto parsed = decode_request_json(*decoded);
  if (!parsed.is_object()) core::throw_invalid("Invalid page token, decoded value=" + shown(*decoded));
  auto it = parsed.find("offset");
  if (it == parsed.end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0 ||
      it->get<std::int64_t>() > kMaxPageOffset) {
    core::throw_invalid("Invalid page token, parsed value=" + shown(*decoded));
  }
  return it->get<std::int64_t>();
}

namespace {

using nlohmann::json;
using nlohmann::ordered_json;  // keeps keys in insertion order, like Python dicts

// Python's repr() of a JSON value, for the mismatch messages.
std::string python_repr(const ordered_json& v) {
  if (v.is_null()) return "None";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_string()) return util::python_repr(v.get_ref<const std::string&>());
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + python_repr(v[i]);
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, item] : v.items()) {
      out += (first ? "" : ", ") + util::python_repr(k) + ": " + python_repr(item);
      first = false;
    }
    return out + "}";
  }
  return v.dump();
}

ordered_json opt_json(const std::optional<std::string>& s) { return s ? ordered_json(*s) : ordered_json(nullptr); }

ordered_json order_by_json(const std::vector<LoggedModelOrderField>& order_by) {
  if (order_by.empty()) return nullptr;
  ordered_json arr = ordered_json::array();
  for (const auto& o : order_by) {
    ordered_json item = ordered_json::object();
    item["field_name"] = o.field_name;
    item["ascending"] = o.ascending;
    item["dataset_name"] = opt_json(o.dataset_name);
    item["dataset_digest"] = opt_json(o.dataset_digest);
    arr.push_back(std::move(item));
  }
  return arr;
}

// Equality as Python compares the decoded values (dict key order does not matter).
bool same(const ordered_json& a, const ordered_json& b) { return json::parse(a.dump()) == json::parse(b.dump()); }

}  // namespace

std::string encode_logged_model_page_token(const LoggedModelPageQuery& query, std::int64_t offset) {
  ordered_json token = ordered_json::object();
  token["experiment_ids"] = query.experiment_ids;
  token["filter_string"] = opt_json(query.filter_string);
  token["order_by"] = order_by_json(query.order_by);
  token["offset"] = offset;
  return util::base64_encode(util::python_json_dumps(token));
}

std::int64_t decode_logged_model_page_token(const std::optional<std::string>& token,
                                            const LoggedModelPageQuery& query) {
  if (!token || token->empty()) return 0;
  auto decoded = util::base64_decode(*token);
  // Decoded with the request limits first (depth, size); then kept in insertion order.
  ordered_json parsed = decoded && decode_request_json(*decoded).is_object()
                            ? ordered_json::parse(*decoded, nullptr, false)
                            : ordered_json(ordered_json::value_t::discarded);
  if (!parsed.is_object()) core::throw_invalid("Invalid page token: " + shown(*token) + ". It could not be decoded.");
  auto field = [&](const char* name) {
    auto it = parsed.find(name);
    return it == parsed.end() ? ordered_json(nullptr) : *it;
  };
  // Python's `x or None`: empty strings and lists count as absent.
  auto falsy_to_null = [](ordered_json v) {
    if ((v.is_string() && v.get_ref<const std::string&>().empty()) || (v.is_array() && v.empty())) {
      return ordered_json(nullptr);
    }
    return v;
  };
  ordered_json ids = field("experiment_ids");
  ordered_json expected_ids = query.experiment_ids;
  if (!same(ids, expected_ids)) {
    core::throw_invalid("Experiment IDs in the page token do not match the requested experiment IDs. Expected: " +
                        python_repr(expected_ids) + ". Found: " + python_repr(ids));
  }
  ordered_json filter = falsy_to_null(field("filter_string"));
  if (!same(filter, opt_json(query.filter_string))) {
    core::throw_invalid("Filter string in the page token does not match the requested filter string. Expected: " +
                        query.filter_string.value_or("None") +
                        ". Found: " + (filter.is_string() ? filter.get<std::string>() : python_repr(filter)));
  }
  ordered_json order = falsy_to_null(field("order_by"));
  ordered_json expected_order = order_by_json(query.order_by);
  if (!same(order, expected_order)) {
    core::throw_invalid("Order by in the page token does not match the requested order by. Expected: " +
                        python_repr(expected_order) + ". Found: " + python_repr(order));
  }
  ordered_json offset = field("offset");
  if (offset.is_null() || offset == ordered_json(false) || offset == ordered_json(0)) return 0;
  if (!offset.is_number_integer() || offset.get<std::int64_t>() < 0 || offset.get<std::int64_t>() > kMaxPageOffset) {
    core::throw_invalid("Invalid page token: " + shown(*token) + ". The offset must be a non-negative integer.");
  }
  return offset.get<std::int64_t>();
}

}  // namespace sextant::api
