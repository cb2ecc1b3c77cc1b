// Wires the registry to the rules module: a collector's type writes its built-in rules as text,
// rules/ compiles them into the collector's group (README, "Built-in rules"). Here because only
// the process on top may see both collectors/ and rules/.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "collectors/registry.hpp"
#include "core/thresholds.hpp"
#include "rules/rule_file.hpp"

namespace opswatch {

// The group "opswatch-builtin:<collector>": the rules of `type` for `thresholds`, the collector's
// `config_rules` (ParsedCollector::config_rules), then CollectorFailing. A type without a
// generator (or unknown to `registry`) gets its config rules and CollectorFailing only.
RuleGroupSpec GenerateBuiltinRules(const CollectorRegistry& registry, const std::string& collector,
                                   const std::string& type, const Thresholds& thresholds,
                                   const std::vector<AlertRuleText>& config_rules = {});

}  // namespace opswatch
