#include "core/alert_rule_text.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/labels.hpp"

namespace opswatch {

std::string CollectorSelector(const MetricFamilySpec& family, std::string_view collector) {
  return std::string(family.name) + "{collector=\"" + EscapeLabelValue(collector) + "\"}";
}

std::string FormatThreshold(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

std::optional<double> FindThreshold(const Thresholds& thresholds, const std::string& key) {
  auto it = thresholds.find(key);
  if (it == thresholds.end()) return std::nullopt;
  return it->second;
}

}  // namespace opswatch
