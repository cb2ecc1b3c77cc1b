#include "collectors/json_path.hpp"

namespace opswatch {

const nlohmann::json* LookupJsonPath(const nlohmann::json& doc, const JsonPath& path) {
  const nlohmann::json* node = &doc;
  for (const auto& segment : path.segments) {
    if (const auto* key = std::get_if<std::string>(&segment)) {
      if (!node->is_object()) return nullptr;
      auto it = node->find(*key);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else {
      size_t index = std::get<size_t>(segment);
      if (!node->is_array() || index >= node->size()) return nullptr;
      node = &(*node)[index];
    }
  }
  return node;
}

}  // namespace opswatch
