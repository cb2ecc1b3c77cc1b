#include "exporter/builtin_rule_groups.hpp"

#include "rules/builtin_rules.hpp"

namespace opswatch {

RuleGroupSpec GenerateBuiltinRules(const CollectorRegistry& registry, const std::string& collector,
                                   const std::string& type, const Thresholds& thresholds,
                                   const std::vector<AlertRuleText>& config_rules) {
  std::vector<AlertRuleText> type_rules;
  const CollectorType* entry = registry.Find(type);
  if (entry && entry->builtin_rules) type_rules = entry->builtin_rules(collector, thresholds);
  type_rules.insert(type_rules.end(), config_rules.begin(), config_rules.end());
  return BuiltinRuleGroup(collector, type_rules);
}

}  // namespace opswatch
