// The collector types opswatch knows, registered explicitly (no static self-registration: it
// silently drops types linked from static libraries).
// Thread-safety: fill once at start, then read-only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "collectors/collector.hpp"

namespace opswatch {

class CollectorRegistry {
 public:
  void Register(std::string type, CollectorParser parser);
  const CollectorParser* Find(const std::string& type) const;
  std::vector<std::string> Types() const;  // sorted

 private:
  std::map<std::string, CollectorParser> parsers_;
};

// One line per built-in type.
void RegisterBuiltinCollectors(CollectorRegistry& registry);

}  // namespace opswatch
