// The collector types opswatch knows, registered explicitly (no static self-registration: it
// silently drops types linked from static libraries). Each type brings its config parser, the
// table of metric families it publishes and its built-in rule generator.
// Thread-safety: fill once at start, then read-only.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "collectors/collector.hpp"

namespace opswatch {

struct CollectorType {
  CollectorParser parser;
  // Every family the type's collectors publish (a postgres query's own metric aside).
  std::span<const MetricFamilySpec> families;
  BuiltinRuleGenerator builtin_rules;  // empty: the type has no rules of its own
};

class CollectorRegistry {
 public:
  void Register(std::string type, CollectorType entry);
  const CollectorType* Find(const std::string& type) const;
  std::vector<std::string> Types() const;  // sorted

 private:
  std::map<std::string, CollectorType> types_;
};

// One line per built-in type.
void RegisterBuiltinCollectors(CollectorRegistry& registry);

}  // namespace opswatch
