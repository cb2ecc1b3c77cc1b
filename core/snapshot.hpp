// An immutable view of everything opswatch knows at one moment: all collectors' samples plus
// their run state. Published as shared_ptr<const Snapshot> and swapped atomically, so readers
// (/metrics, /health, the rule evaluator) never lock against collectors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/metric.hpp"

namespace opswatch {

struct CollectorState {
  std::string name;
  std::string type;
  bool has_run = false;    // false until the first run finished (or timed out)
  bool ok = false;         // last run succeeded
  std::string last_error;  // empty when ok; never contains secrets
  SystemTime last_run_at{};
  double duration_seconds = 0;
};

struct Snapshot {
  SystemTime taken_at{};
  std::vector<MetricFamily> families;  // merged by name, every family with HELP and TYPE
  // Read by rules but not published on /metrics (scrape's expose: false, ARCHITECTURE §7).
  std::vector<MetricFamily> history_only;
  std::vector<CollectorState> collectors;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace opswatch
