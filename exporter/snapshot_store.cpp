#include "exporter/snapshot_store.hpp"

#include "core/collector_self_metrics.hpp"

namespace opswatch {

SnapshotStore::SnapshotStore(const Clock& clock) : clock_(clock) {
  current_ = std::make_shared<const Snapshot>();
}

void SnapshotStore::SetCollectors(
    const std::vector<std::pair<std::string, std::string>>& name_and_type) {
  std::lock_guard lock(mu_);
  std::map<std::string, CollectorRecord> kept;
  order_.clear();
  for (const auto& [name, type] : name_and_type) {
    order_.push_back(name);
    auto it = collectors_.find(name);
    if (it != collectors_.end() && it->second.state.type == type) {
      kept[name] = std::move(it->second);
    } else {
      CollectorRecord record;
      record.state.name = name;
      record.state.type = type;
      record.state.last_error = "not run yet";
      kept[name] = std::move(record);
    }
  }
  collectors_ = std::move(kept);
  RebuildLocked();
}

void SnapshotStore::RecordRun(RunOutcome outcome) {
  std::lock_guard lock(mu_);
  auto it = collectors_.find(outcome.name);
  if (it == collectors_.end()) return;  // removed by a reload while it ran
  CollectorRecord& record = it->second;
  record.runs += 1;
  if (!outcome.ok) record.failures += 1;
  if (outcome.timed_out) record.timeouts += 1;
  record.state.has_run = true;
  record.state.ok = outcome.ok;
  record.state.last_error = outcome.ok ? "" : outcome.error;
  record.state.last_run_at = outcome.finished_at;
  record.state.duration_seconds = outcome.duration_seconds;
  for (auto& family : outcome.families) {
    for (auto& sample : family.samples) sample.labels.Set("collector", outcome.name);
  }
  record.families = std::move(outcome.families);
  record.foreign = std::move(outcome.foreign);
  record.foreign_unexposed = std::move(outcome.foreign_unexposed);
  RebuildLocked();
}

void SnapshotStore::SetSection(const std::string& key, std::vector<MetricFamily> families) {
  std::lock_guard lock(mu_);
  sections_[key] = std::move(families);
  RebuildLocked();
}

SnapshotPtr SnapshotStore::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

bool SnapshotStore::AllCollectedOnce() const {
  std::lock_guard lock(mu_);
  for (const auto& [name, record] : collectors_) {
    if (!record.state.has_run) return false;
  }
  return true;
}

void SnapshotStore::RebuildLocked() {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->taken_at = clock_.SystemNow();

  MetricFamily up = NewFamily(collector_self_metrics::kUp);
  MetricFamily duration = NewFamily(collector_self_metrics::kDuration);
  MetricFamily last_run = NewFamily(collector_self_metrics::kLastRunTimestamp);
  MetricFamily runs = NewFamily(collector_self_metrics::kRuns);
  MetricFamily failures = NewFamily(collector_self_metrics::kFailures);
  MetricFamily timeouts = NewFamily(collector_self_metrics::kTimeouts);
  std::vector<MetricFamily> all;
  for (const auto& name : order_) {
    const CollectorRecord& record = collectors_.at(name);
    snapshot->collectors.push_back(record.state);
    Labels labels{{"collector", name}, {"type", record.state.type}};
    Labels by_name{{"collector", name}};
    // Like Prometheus's `up`, absent until the first run has an outcome: 0 before it would look
    // like a failure (and start CollectorFailing's `for`) during every start-up.
    if (record.state.has_run) {
      up.Add(labels, record.state.ok ? 1 : 0);
      duration.Add(by_name, record.state.duration_seconds);
      last_run.Add(by_name, ToUnixSeconds(record.state.last_run_at));
    }
    runs.Add(by_name, record.runs);
    failures.Add(by_name, record.failures);
    timeouts.Add(by_name, record.timeouts);
  }
  for (const auto& [key, families] : sections_) {
    if (key == "self") all.insert(all.end(), families.begin(), families.end());
  }
  for (auto* family : {&up, &duration, &last_run, &runs, &failures, &timeouts}) {
    all.push_back(std::move(*family));
  }
  std::vector<MetricFamily> history_only;
  for (const auto& name : order_) {
    const CollectorRecord& record = collectors_.at(name);
    all.insert(all.end(), record.families.begin(), record.families.end());
    all.insert(all.end(), record.foreign.begin(), record.foreign.end());
    history_only.insert(history_only.end(), record.foreign_unexposed.begin(),
                        record.foreign_unexposed.end());
  }
  for (const auto& [key, families] : sections_) {
    if (key != "self") all.insert(all.end(), families.begin(), families.end());
  }
  snapshot->families = MergeFamilies(std::move(all));
  snapshot->history_only = MergeFamilies(std::move(history_only));
  current_ = std::move(snapshot);
}

}  // namespace opswatch
