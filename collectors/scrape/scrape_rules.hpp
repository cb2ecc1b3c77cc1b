// The built-in alerting rules of a scrape collector (README, "Built-in rules"): TargetDown on the
// collector's own `up` series.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "core/alert_rule_text.hpp"
#include "core/thresholds.hpp"

namespace opswatch {

std::vector<AlertRuleText> ScrapeBuiltinRules(const std::string& collector,
                                              const Thresholds& thresholds);

}  // namespace opswatch
