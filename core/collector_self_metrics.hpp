// The families opswatch publishes about every collector run (README, "Metrics"), declared once:
// the snapshot store fills them and the built-in CollectorFailing rule selects
// opswatch_collector_up. In core because both sides (exporter/ and rules/) need the names.
// Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::collector_self_metrics {

inline constexpr MetricFamilySpec kUp{
    "opswatch_collector_up", MetricType::kGauge,
    "1 when the collector's last run succeeded, 0 when it failed or timed out."};
inline constexpr MetricFamilySpec kDuration{"opswatch_collector_duration_seconds",
                                            MetricType::kGauge,
                                            "Duration of the collector's last run."};
inline constexpr MetricFamilySpec kLastRunTimestamp{
    "opswatch_collector_last_run_timestamp_seconds", MetricType::kGauge,
    "When the collector's last run finished, in unix seconds."};
inline constexpr MetricFamilySpec kRuns{"opswatch_collector_runs_total", MetricType::kCounter,
                                        "Collector runs finished."};
inline constexpr MetricFamilySpec kFailures{"opswatch_collector_failures_total",
                                            MetricType::kCounter,
                                            "Collector runs that failed (including timeouts)."};
inline constexpr MetricFamilySpec kTimeouts{
    "opswatch_collector_timeouts_total", MetricType::kCounter,
    "Collector runs abandoned because they passed their deadline."};

inline constexpr std::array kFamilies = {kUp,   kDuration, kLastRunTimestamp,
                                         kRuns, kFailures, kTimeouts};

}  // namespace opswatch::collector_self_metrics
