// A span's attributes as MLflow holds them while storing: key -> the value's JSON text, in
// first-insertion order, a later value for a key replacing the earlier one in place (a Python
// dict). Plain value type used by span_conversion and genai_translation.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sextant::otlp {

class SpanAttributes {
 public:
  // nullptr when absent.
  const std::string* get(std::string_view key) const {
    auto it = index_.find(std::string(key));
    return it == index_.end() ? nullptr : &items_[it->second].second;
  }
  bool contains(std::string_view key) const { return get(key) != nullptr; }
  void set(std::string key, std::string value) {
    auto [it, inserted] = index_.try_emplace(key, items_.size());
    if (inserted) items_.emplace_back(std::move(key), std::move(value));
    else items_[it->second].second = std::move(value);
  }
  std::vector<std::pair<std::string, std::string>>& items() { return items_; }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace sextant::otlp
