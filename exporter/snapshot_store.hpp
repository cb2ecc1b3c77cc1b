// Holds the latest result of every collector and of the other metric sources (rules, delivery),
// and publishes them as one immutable Snapshot, rebuilt on each update and swapped atomically.
// It also keeps the per-collector self metrics (runs, failures, timeouts, duration, last run).
// Thread-safety: thread-safe. Current() never blocks on an update for longer than a pointer copy.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/metric.hpp"
#include "core/snapshot.hpp"

namespace opswatch {

struct RunOutcome {
  std::string name;
  SystemTime finished_at{};
  double duration_seconds = 0;
  bool ok = false;
  bool timed_out = false;
  std::string error;
  std::vector<MetricFamily> families;
  std::vector<MetricFamily> foreign;            // CollectResult::foreign, labels kept
  std::vector<MetricFamily> foreign_unexposed;  // CollectResult::foreign_unexposed
};

class SnapshotStore {
 public:
  explicit SnapshotStore(const Clock& clock);

  // Declares the configured collectors (on start and on reload). Counters of collectors that stay
  // are kept; collectors no longer configured disappear with their samples.
  void SetCollectors(const std::vector<std::pair<std::string, std::string>>& name_and_type);
  void RecordRun(RunOutcome outcome);
  // A named block of families from another source ("self", "rules", "notify"); replaces the
  // previous block of that name.
  void SetSection(const std::string& key, std::vector<MetricFamily> families);

  SnapshotPtr Current() const;
  // True once every configured collector has finished (or timed out) at least one run.
  bool AllCollectedOnce() const;

 private:
  struct CollectorRecord {
    CollectorState state;
    double runs = 0;
    double failures = 0;
    double timeouts = 0;
    std::vector<MetricFamily> families;  // with collector label already set
    std::vector<MetricFamily> foreign;
    std::vector<MetricFamily> foreign_unexposed;
  };
  void RebuildLocked();  // REQUIRES(mu_)

  const Clock& clock_;
  mutable std::mutex mu_;
  std::vector<std::string> order_;                             // GUARDED_BY(mu_): config order
  std::map<std::string, CollectorRecord> collectors_;          // GUARDED_BY(mu_)
  std::map<std::string, std::vector<MetricFamily>> sections_;  // GUARDED_BY(mu_)
  SnapshotPtr current_;                                        // GUARDED_BY(mu_)
};

}  // namespace opswatch
