// Built-in alerting rules (README, "Built-in rules"): one group "opswatch-builtin:<collector>"
// per collector, holding the rules its type generates from its thresholds
// (collectors/<type>/<type>_rules.hpp, as plain text) followed by CollectorFailing, which every
// collector gets. Every selector is restricted to collector="<collector>".
//
// Overriding: a rule-file alerting rule overrides a built-in rule when (1) its `alert` name equals
// the built-in rule's name and (2) its expression contains a vector or range selector with the
// equality matcher collector="<that collector>" (exactly `=`, not a regex; a scrape collector's
// rules name job="<its job>" instead, AlertRuleText::owner_label). The built-in rule is
// then dropped; the file rule is kept as written. A same-named file rule without such a matcher
// overrides nothing (both run).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/alert_rule_text.hpp"
#include "rules/rule_file.hpp"

namespace opswatch {

// Compiles `type_rules` (a collector type's generated rules; empty for a type without any) and
// CollectorFailing into the collector's group.
RuleGroupSpec BuiltinRuleGroup(const std::string& collector,
                               const std::vector<AlertRuleText>& type_rules);

// The effective rule set: built-in groups (minus overridden rules, and minus groups left empty)
// first, then the file groups. `overridden` (optional) receives "<collector>/<alertname>" of
// each built-in rule that a file rule replaced.
std::vector<RuleGroupSpec> MergeRuleGroups(std::vector<RuleGroupSpec> builtin,
                                           std::vector<RuleGroupSpec> files,
                                           std::vector<std::string>* overridden = nullptr);

}  // namespace opswatch
