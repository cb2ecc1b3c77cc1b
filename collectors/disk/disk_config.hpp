// The disk collector's configuration: `paths` and its free-space and inode thresholds.
// Thread-safety: pure functions and value types.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.hpp"

namespace opswatch {

struct DiskConfig {
  std::vector<std::string> paths;
  double avail_ratio_warning = 0.10;
  double avail_ratio_critical = 0.05;
  double inodes_free_ratio = 0.05;
};

std::optional<ParsedCollector> ParseDiskCollector(MapReader& reader, const CollectorIdentity& id);

}  // namespace opswatch
