// The built-in alerting rules of a postgres collector, generated from its thresholds (README,
// "Built-in rules"): every selector is restricted to collector="<collector>", a threshold rule
// exists only when its threshold is set, and the order is the README table's.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "core/alert_rule_text.hpp"
#include "core/thresholds.hpp"

namespace opswatch {

std::vector<AlertRuleText> PostgresBuiltinRules(const std::string& collector,
                                                const Thresholds& thresholds);

}  // namespace opswatch
