// A built-in alerting rule as plain text: what a collector type's rule generator writes
// (collectors/<type>/<type>_rules.cpp) and the rules module compiles into a rule group
// (rules/builtin_rules.hpp). Text, not a parsed expression, because collectors do not see PromQL.
// Thread-safety: value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/metric.hpp"
#include "core/thresholds.hpp"
#include "core/units.hpp"

namespace opswatch {

struct AlertRuleText {
  std::string alert;
  std::string expr;  // PromQL
  Millis for_duration{0};
  std::string severity;
  std::string summary;      // annotation templates
  std::string description;  // (Prometheus's template language)
  std::string hint;
  // The equality matcher (name, value) a rule-file rule of the same name must use to replace this
  // one; an empty name means collector="<collector>". A scrape collector's rules watch series
  // without collector=, so they name their job="<job>" here.
  std::string owner_label = {};
  std::string owner_value = {};
};

// `<family>{collector="<collector>"}`, the collector name escaped: every built-in rule watches
// only its own collector's series.
std::string CollectorSelector(const MetricFamilySpec& family, std::string_view collector);

// A threshold as a PromQL number literal: integers without exponent, others shortest round-trip.
std::string FormatThreshold(double value);

// The configured value of threshold `key`, if any.
std::optional<double> FindThreshold(const Thresholds& thresholds, const std::string& key);

}  // namespace opswatch
