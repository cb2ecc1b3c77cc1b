// Every metric family the disk collector publishes, declared once (README, "type: disk"): Collect
// fills them, the built-in rules select them, and tests/unit/readme_metrics_test.cpp holds the
// README's table to kFamilies.
// Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::disk_metrics {

inline constexpr MetricFamilySpec kSizeBytes{"opswatch_disk_size_bytes", MetricType::kGauge,
                                             "Filesystem size in bytes."};
inline constexpr MetricFamilySpec kFreeBytes{
    "opswatch_disk_free_bytes", MetricType::kGauge,
    "Filesystem free space in bytes, including blocks reserved for root."};
inline constexpr MetricFamilySpec kAvailBytes{
    "opswatch_disk_avail_bytes", MetricType::kGauge,
    "Filesystem space available to unprivileged users in bytes."};
inline constexpr MetricFamilySpec kFiles{"opswatch_disk_files", MetricType::kGauge,
                                         "Filesystem total file nodes (inodes)."};
inline constexpr MetricFamilySpec kFilesFree{"opswatch_disk_files_free", MetricType::kGauge,
                                             "Filesystem free file nodes."};
inline constexpr MetricFamilySpec kReadonly{"opswatch_disk_readonly", MetricType::kGauge,
                                            "1 when the filesystem is mounted read-only."};
inline constexpr MetricFamilySpec kStuck{
    "opswatch_disk_stuck", MetricType::kGauge,
    "1 while a stat call on the path has passed its deadline and not returned (hung mount); its "
    "other disk metrics are then absent."};

inline constexpr std::array kFamilies = {kSizeBytes, kFreeBytes, kAvailBytes, kFiles,
                                         kFilesFree, kReadonly,  kStuck};

}  // namespace opswatch::disk_metrics
