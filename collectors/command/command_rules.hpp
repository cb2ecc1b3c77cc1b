// The built-in alerting rules of a command collector (README, "Built-in rules"): one per Nagios
// state, on opswatch_command_status, restricted to collector="<collector>".
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "core/alert_rule_text.hpp"
#include "core/thresholds.hpp"

namespace opswatch {

std::vector<AlertRuleText> CommandBuiltinRules(const std::string& collector,
                                               const Thresholds& thresholds);

}  // namespace opswatch
