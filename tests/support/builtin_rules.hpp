// The built-in rule group of a collector of a built-in type, as the config loader builds it, for
// tests that need built-in groups without a config file.
// Thread-safety: the registry is built once (a function-local static) and only read after.
#pragma once

#include <string>

#include "collectors/registry.hpp"
#include "exporter/builtin_rule_groups.hpp"

namespace opswatch::testing {

// `type` may be one the registry does not know (e.g. "self"): then the group holds only
// CollectorFailing.
inline RuleGroupSpec GenerateBuiltinRules(const std::string& collector, const std::string& type,
                                          const Thresholds& thresholds) {
  static const CollectorRegistry* registry = [] {
    auto* r = new CollectorRegistry;
    RegisterBuiltinCollectors(*r);
    return r;
  }();
  return opswatch::GenerateBuiltinRules(*registry, collector, type, thresholds);
}

}  // namespace opswatch::testing
