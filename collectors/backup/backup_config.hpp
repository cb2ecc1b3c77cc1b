// The backup collector's configuration: path, pattern, verify and its thresholds.
// Thread-safety: pure functions and value types.
#pragma once

#include <optional>
#include <string>

#include "collectors/collector.hpp"

namespace opswatch {

enum class BackupVerifyMode { kNone, kNewest, kAll };

struct BackupConfig {
  std::string path;           // absolute directory
  std::string pattern = "*";  // relative glob; "**/" recurses
  BackupVerifyMode verify = BackupVerifyMode::kNewest;
  // Thresholds, in base units, only those configured (min_count defaults to 1).
  std::optional<double> max_age_seconds;
  double min_count = 1;
  std::optional<double> retention_count;
  std::optional<double> min_bytes;
  std::optional<double> shrink_ratio;
};

// Reads path, pattern, verify and thresholds {max_age, min_count, retention_count, min_bytes,
// shrink_ratio}. ParsedCollector.thresholds holds max_age in seconds, min_bytes in bytes,
// shrink_ratio as a ratio, counts as numbers.
std::optional<ParsedCollector> ParseBackupCollector(MapReader& reader, const CollectorIdentity& id);

}  // namespace opswatch
