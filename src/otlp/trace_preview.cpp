#include "otlp/trace_preview.hpp"

#include <vector>

#include "util/python_json_loads.hpp"

namespace sextant::otlp {

namespace {

using json = nlohmann::ordered_json;

bool is_message(const json& item) { return item.is_object() && item.contains("role") && item.contains("content"); }

bool truthy_member(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  const json& v = *it;
  return !(v.is_null() || (v.is_boolean() && !v.get<bool>()) || (v.is_number() && v.get<double>() == 0.0) ||
           (v.is_string() && v.get_ref<const std::string&>().empty()) || (v.is_structured() && v.empty()));
}

std::vector<const json*> messages_of(const json& list) {
  std::vector<const json*> out;
  for (const auto& item : list)
    if (is_message(item)) out.push_back(&item);
  return out;
}

// _try_extract_messages; nullopt for None.
std::optional<std::vector<const json*>> extract_messages(const json& obj, int depth = 0) {
  if (!obj.is_object() || depth > 64) return std::nullopt;
  if (truthy_member(obj, "messages") && obj["messages"].is_array()) return messages_of(obj["messages"]);
  if (truthy_member(obj, "choices") && obj["choices"].is_array() && obj["choices"][0].is_object()) {
    const json& first = obj["choices"][0];
    if (truthy_member(first, "message") && is_message(first["message"])) return std::vector<const json*>{&first["message"]};
  }
  if (truthy_member(obj, "input") && obj["input"].is_array()) return messages_of(obj["input"]);
  if (truthy_member(obj, "output") && obj["output"].is_array()) return messages_of(obj["output"]);
  if (obj.contains("request")) return extract_messages(obj["request"], depth + 1);
  return std::nullopt;
}

// _get_text_content_from_message: nullopt stands for None; `failed` where a non-str would
// later break len().
std::optional<std::string> text_content(const json& message, bool& failed) {
  auto it = message.find("content");
  if (it == message.end()) return std::string();
  const json& content = *it;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_string()) return part.get<std::string>();
      if (part.is_object()) {
        auto type = part.find("type");
        if (type != part.end() && type->is_string() &&
            (type->get_ref<const std::string&>() == "text" || type->get_ref<const std::string&>() == "output_text")) {
          auto text = part.find("text");
          if (text == part.end() || text->is_null()) return std::nullopt;
          if (!text->is_string()) {
            // A truthy non-str is used as the preview (len() of a number raises; a list or dict
            // would reach the database): MLflow stores no preview.
            failed = !(text->is_boolean() && !text->get<bool>()) && !(text->is_number() && text->get<double>() == 0.0) &&
                     !(text->is_structured() && text->empty());
            return std::nullopt;
          }
          return text->get<std::string>();
        }
      }
    }
    return std::nullopt;  // falls off the loop: None
  }
  if (content.is_string()) return content.get<std::string>();
  return std::string();
}

}  // namespace

std::optional<std::string> truncated_preview(const std::string& text, std::string_view role) {
  std::optional<std::string> content;
  auto loaded = util::python_json_loads(text);
  if (loaded.status == util::PythonJsonLoad::Status::TooDeep) return std::nullopt;  // RecursionError
  if (loaded.status == util::PythonJsonLoad::Status::Ok && !loaded.value.is_null()) {
    auto messages = extract_messages(loaded.value);
    if (messages && !messages->empty()) {
      const json* chosen = messages->back();
      for (auto it = messages->rbegin(); it != messages->rend(); ++it) {
        auto r = (*it)->find("role");
        if (r != (*it)->end() && r->is_string() && r->get_ref<const std::string&>() == role) {
          chosen = *it;
          break;
        }
      }
      bool failed = false;
      content = text_content(*chosen, failed);
      if (failed) return std::nullopt;
    }
  }
  const std::string& chosen = content && !content->empty() ? *content : text;
  // Length in code points: count UTF-8 lead bytes.
  std::size_t points = 0, cut = std::string::npos;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if ((static_cast<unsigned char>(chosen[i]) & 0xc0) != 0x80) {
      if (points == kPreviewMaxLength - 3) cut = i;
      ++points;
    }
  }
  if (points <= kPreviewMaxLength) return chosen;
  return chosen.substr(0, cut) + "...";
}

}  // namespace sextant::otlp
