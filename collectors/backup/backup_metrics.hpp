// Every metric family the backup collector publishes, declared once (README, "type: backup"):
// Collect fills them, the built-in rules select them, and tests/unit/readme_metrics_test.cpp holds
// the README's table to kFamilies. Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::backup_metrics {

inline constexpr MetricFamilySpec kFiles{"opswatch_backup_files", MetricType::kGauge,
                                         "Number of backup files matching the pattern."};
inline constexpr MetricFamilySpec kTotalBytes{"opswatch_backup_total_bytes", MetricType::kGauge,
                                              "Total size of the backup files in bytes."};
inline constexpr MetricFamilySpec kNewestTimestamp{
    "opswatch_backup_newest_timestamp_seconds", MetricType::kGauge,
    "Modification time of the newest complete backup, unix seconds."};
inline constexpr MetricFamilySpec kNewestAge{
    "opswatch_backup_newest_age_seconds", MetricType::kGauge,
    "Seconds since the newest complete backup was modified."};
inline constexpr MetricFamilySpec kNewestBytes{"opswatch_backup_newest_bytes", MetricType::kGauge,
                                               "Size of the newest complete backup in bytes."};
inline constexpr MetricFamilySpec kPreviousBytes{
    "opswatch_backup_previous_bytes", MetricType::kGauge,
    "Size of the complete backup before the newest in bytes."};
inline constexpr MetricFamilySpec kOldestTimestamp{
    "opswatch_backup_oldest_timestamp_seconds", MetricType::kGauge,
    "Modification time of the oldest backup, unix seconds."};
inline constexpr MetricFamilySpec kNewestValid{
    "opswatch_backup_newest_valid", MetricType::kGauge,
    "1 when the newest complete backup passed the check, 0 when it failed; absent until it has "
    "been read."};
inline constexpr MetricFamilySpec kVerifyDuration{
    "opswatch_backup_verify_duration_seconds", MetricType::kGauge,
    "Seconds spent reading and checking the newest complete backup (summed over runs when it took "
    "several)."};
inline constexpr MetricFamilySpec kInvalidFiles{
    "opswatch_backup_invalid_files", MetricType::kGauge,
    "Number of verified backups that failed a check (verify: all)."};

inline constexpr std::array kFamilies = {
    kFiles,         kTotalBytes,      kNewestTimestamp, kNewestAge,      kNewestBytes,
    kPreviousBytes, kOldestTimestamp, kNewestValid,     kVerifyDuration, kInvalidFiles};

}  // namespace opswatch::backup_metrics
