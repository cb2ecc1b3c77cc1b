// The built-in alerting rules of a scrape collector (README, "Built-in rules"): TargetDown on the
// `up` series of its job. They select and are overridden on job="<job>", not collector=, because
// the series they watch carry no collector label (docs/ARCHITECTURE.md §7); the config parser
// writes them (ParsedCollector::config_rules), since the type's generator sees only thresholds.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "core/alert_rule_text.hpp"

namespace opswatch {

std::vector<AlertRuleText> ScrapeBuiltinRules(const std::string& job);

}  // namespace opswatch
