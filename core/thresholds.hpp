// Thresholds in base units (seconds, bytes, ratios, counts), keyed by their config name. Shared
// vocabulary: collectors produce them, the rules module turns them into built-in rules.
#pragma once

#include <map>
#include <string>

namespace opswatch {

using Thresholds = std::map<std::string, double>;

}  // namespace opswatch
