// The families the rule manager publishes (README, "Metrics"), declared once: RuleManager::Families
// fills them and tests/unit/readme_metrics_test.cpp holds the README's table to kFamilies.
// Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::rule_metrics {

inline constexpr MetricFamilySpec kAlerts{"opswatch_alerts", MetricType::kGauge,
                                          "Pending and firing alerts, like Prometheus's ALERTS."};
inline constexpr MetricFamilySpec kAlertsForState{
    "opswatch_alerts_for_state", MetricType::kGauge,
    "Unix time an alert became active, like ALERTS_FOR_STATE."};
inline constexpr MetricFamilySpec kEvaluationDuration{
    "opswatch_rule_evaluation_duration_seconds", MetricType::kGauge,
    "Duration of the last evaluation of a rule group."};
inline constexpr MetricFamilySpec kEvaluationFailures{
    "opswatch_rule_evaluation_failures_total", MetricType::kCounter,
    "Rule evaluations that failed, per rule group."};
inline constexpr MetricFamilySpec kGroupLastEvaluation{
    "opswatch_rule_group_last_evaluation_timestamp_seconds", MetricType::kGauge,
    "Unix time of a rule group's last evaluation."};
inline constexpr MetricFamilySpec kHistorySeries{"opswatch_rule_history_series", MetricType::kGauge,
                                                 "Series held in the rule engine's history."};
inline constexpr MetricFamilySpec kHistorySamples{"opswatch_rule_history_samples",
                                                  MetricType::kGauge,
                                                  "Samples held in the rule engine's history."};
inline constexpr MetricFamilySpec kHistoryBytes{
    "opswatch_rule_history_bytes", MetricType::kGauge,
    "Estimated memory used by the rule engine's history."};

inline constexpr std::array kFamilies = {
    kAlerts,        kAlertsForState, kEvaluationDuration, kEvaluationFailures, kGroupLastEvaluation,
    kHistorySeries, kHistorySamples, kHistoryBytes};

}  // namespace opswatch::rule_metrics
