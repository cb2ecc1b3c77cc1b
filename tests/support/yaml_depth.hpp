// The depth yaml-cpp built for a document, for the YAML nesting tests and the config fuzz target.
// Thread-safety: a pure function.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace opswatch::testing {

// Collections on the longest path from the root, walked iteratively (the tree may be deep).
inline int ParsedDepth(const YAML::Node& root) {
  int deepest = 0;
  std::vector<std::pair<YAML::Node, int>> pending{{root, 0}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node.IsMap() && !node.IsSequence()) continue;
    deepest = std::max(deepest, depth + 1);
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (node.IsMap()) {
        pending.emplace_back(it->first, depth + 1);
        pending.emplace_back(it->second, depth + 1);
      } else {
        pending.emplace_back(*it, depth + 1);
      }
    }
  }
  return deepest;
}

}  // namespace opswatch::testing
