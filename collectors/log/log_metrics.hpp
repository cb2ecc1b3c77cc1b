// Every metric family the log collector publishes, declared once (README, "type: log"): Collect
// fills them, the built-in rules select them, and tests/unit/readme_metrics_test.cpp holds the
// README's table to kFamilies. Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::log_metrics {

inline constexpr MetricFamilySpec kEvents{
    "opswatch_log_events_total", MetricType::kCounter,
    "Log lines that matched the event, by event and the event's configured labels."};
inline constexpr MetricFamilySpec kLines{"opswatch_log_lines_total", MetricType::kCounter,
                                         "Complete lines read from the file."};
inline constexpr MetricFamilySpec kBytesRead{"opswatch_log_bytes_read_total", MetricType::kCounter,
                                             "Bytes read from the file."};
inline constexpr MetricFamilySpec kLastLineTimestamp{
    "opswatch_log_last_line_timestamp_seconds", MetricType::kGauge,
    "When the last line of the file was read (before any, the file's modification time), unix "
    "seconds."};
inline constexpr MetricFamilySpec kRotations{
    "opswatch_log_rotations_total", MetricType::kCounter,
    "Times another file appeared under the path (rename-and-create rotation)."};
inline constexpr MetricFamilySpec kTruncations{
    "opswatch_log_truncations_total", MetricType::kCounter,
    "Times the file was truncated or rewritten in place (copytruncate); reading restarted at 0."};
inline constexpr MetricFamilySpec kReadErrors{
    "opswatch_log_read_errors_total", MetricType::kCounter,
    "Lines skipped or reads failed, by reason (invalid_utf8, invalid_json, invalid_logfmt, "
    "invalid_value, open, read)."};
inline constexpr MetricFamilySpec kLinesCut{
    "opswatch_log_lines_cut_total", MetricType::kCounter,
    "Lines longer than max_line_bytes; only their first max_line_bytes were matched."};
inline constexpr MetricFamilySpec kLabelOverflow{
    "opswatch_log_label_overflow_total", MetricType::kCounter,
    "Matches whose label value was replaced by \"other\" because the label had label_limit "
    "values."};

inline constexpr MetricFamilySpec kEventValue{
    "opswatch_log_event_value", MetricType::kHistogram,
    "The configured value field of the event's matching lines (events with value only)."};

inline constexpr std::array kFamilies = {
    kEvents,      kLines,      kBytesRead, kLastLineTimestamp, kRotations,
    kTruncations, kReadErrors, kLinesCut,  kLabelOverflow,     kEventValue};

}  // namespace opswatch::log_metrics
