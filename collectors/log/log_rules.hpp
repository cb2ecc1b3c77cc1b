// The built-in alerting rules of a log collector, generated from its thresholds (README,
// "Built-in rules"). Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "core/alert_rule_text.hpp"
#include "core/thresholds.hpp"

namespace opswatch {

std::vector<AlertRuleText> LogBuiltinRules(const std::string& collector,
                                           const Thresholds& thresholds);

}  // namespace opswatch
