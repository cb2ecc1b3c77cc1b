#include "exporter/builtin_rule_groups.hpp"

#include "rules/builtin_rules.hpp"

namespace opswatch {

RuleGroupSpec GenerateBuiltinRules(const CollectorRegistry& registry, const std::string& collector,
                                   const std::string& type, const Thresholds& thresholds) {
  std::vector<AlertRuleText> type_rules;
  const CollectorType* entry = registry.Find(type);
  if (entry && entry->builtin_rules) type_rules = entry->builtin_rules(collector, thresholds);
  return BuiltinRuleGroup(collector, type_rules);
}

}  // namespace opswatch
