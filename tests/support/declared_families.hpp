// Every metric family opswatch declares, from the tables the code publishes with: the collector
// types' (through the registry, as the process sees them) and the self-metric tables of the
// scheduler, the process, the rule engine and the notifier. Tests compare the README and the
// examples' rules against it instead of keeping their own list.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/metric.hpp"

namespace opswatch::testing {

std::map<std::string, MetricFamilySpec> DeclaredFamilies();

// Names declared by more than one table (should be none).
std::vector<std::string> FamiliesDeclaredTwice();

}  // namespace opswatch::testing
