// Every metric family the command collector publishes, declared once (README, "type: command"):
// Collect fills them, the built-in rules select them, and tests/unit/readme_metrics_test.cpp holds
// the README's table to kFamilies. Families of `output: prometheus` are the command's own.
// Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::command_metrics {

inline constexpr MetricFamilySpec kExitCode{"opswatch_command_exit_code", MetricType::kGauge,
                                            "Exit code of the last run; 128 + the signal when a "
                                            "signal ended it, -1 when it did not start."};
inline constexpr MetricFamilySpec kStatus{
    "opswatch_command_status", MetricType::kGauge,
    "Verdict of the last run: 0 ok, 1 warning, 2 critical, 3 unknown (Nagios's states)."};
inline constexpr MetricFamilySpec kDuration{"opswatch_command_duration_seconds", MetricType::kGauge,
                                            "Wall time of the last run in seconds."};
inline constexpr MetricFamilySpec kTimeouts{"opswatch_command_timeouts_total", MetricType::kCounter,
                                            "Runs stopped because they passed the timeout."};
inline constexpr MetricFamilySpec kOutputTruncated{
    "opswatch_command_output_truncated_total", MetricType::kCounter,
    "Runs whose stdout exceeded max_output_bytes; the excess was read and discarded."};
inline constexpr MetricFamilySpec kPerfdata{
    "opswatch_command_perfdata", MetricType::kGauge,
    "Nagios performance datum of the last run, by label, in base units (seconds, bytes, ratio)."};
inline constexpr MetricFamilySpec kPerfdataWarning{
    "opswatch_command_perfdata_warning", MetricType::kGauge,
    "Warning threshold of the performance datum, in its base unit."};
inline constexpr MetricFamilySpec kPerfdataCritical{
    "opswatch_command_perfdata_critical", MetricType::kGauge,
    "Critical threshold of the performance datum, in its base unit."};
inline constexpr MetricFamilySpec kPerfdataMin{
    "opswatch_command_perfdata_min", MetricType::kGauge,
    "Minimum of the performance datum's range, in its base unit."};
inline constexpr MetricFamilySpec kPerfdataMax{
    "opswatch_command_perfdata_max", MetricType::kGauge,
    "Maximum of the performance datum's range, in its base unit."};
inline constexpr MetricFamilySpec kCheckOk{
    "opswatch_command_check_ok", MetricType::kGauge,
    "1 when the check passed on the last run's JSON output."};
inline constexpr MetricFamilySpec kJsonValue{
    "opswatch_command_json_value", MetricType::kGauge,
    "Value of an exported JSON field of the last run's output (booleans as 1 and 0)."};

inline constexpr std::array kFamilies = {
    kExitCode,        kStatus,           kDuration,    kTimeouts,    kOutputTruncated, kPerfdata,
    kPerfdataWarning, kPerfdataCritical, kPerfdataMin, kPerfdataMax, kCheckOk,         kJsonValue};

}  // namespace opswatch::command_metrics
