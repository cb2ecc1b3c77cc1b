// A bounded in-memory history of every series the rule engine has seen, for range functions
// (rate, *_over_time) and the 5m lookback of instant selectors. Samples are kept in millisecond
// resolution, as Prometheus stores them, so extrapolation arithmetic matches it bit for bit.
// Thread-safety: not thread-safe; the rule evaluator owns one and appends and evaluates from a
// single thread (or under its own lock).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "core/labels.hpp"
#include "core/metric.hpp"

namespace opswatch {

// Prometheus's staleness marker: a NaN with a distinct bit pattern (value.StaleNaN).
double StaleMarker();
bool IsStaleMarker(double value);

struct HistoryPoint {
  int64_t t_ms;
  double value;
};

// One series as the evaluator reads it: labels include __name__.
struct HistorySeries {
  Labels labels;
  std::vector<HistoryPoint> points;  // increasing t_ms; points before `head` are pruned lazily
  size_t head = 0;
  std::span<const HistoryPoint> live() const {
    return std::span<const HistoryPoint>(points).subspan(head);
  }
};

class SeriesHistory {
 public:
  explicit SeriesHistory(std::chrono::milliseconds retention);
  SeriesHistory(const SeriesHistory&) = delete;
  SeriesHistory& operator=(const SeriesHistory&) = delete;

  void SetRetention(std::chrono::milliseconds retention);
  std::chrono::milliseconds retention() const { return retention_; }

  // Appends one evaluation round's series at time t. A series present in the previous Append at
  // the same "source" and absent now gets a staleness marker, as Prometheus does for scrapes.
  // Samples not newer than a series' last sample are ignored (Prometheus rejects them too).
  void Append(SystemTime t, const std::vector<Series>& series, const std::string& source = "");

  size_t series_count() const { return series_.size(); }
  size_t sample_count() const { return sample_count_; }
  size_t bytes_estimate() const;

  // Read access for the evaluator. `name` empty = every series.
  void ForEachNamed(std::string_view name,
                    const std::function<void(const HistorySeries&)>& fn) const;
  void ForEach(const std::function<void(const HistorySeries&)>& fn) const;

 private:
  struct Entry {
    HistorySeries series;
    std::string name;
  };
  Entry& Upsert(const std::string& name, const Labels& labels, uint64_t fingerprint);
  void Push(Entry& entry, int64_t t_ms, double value);
  void Prune(int64_t newest_ms);

  std::chrono::milliseconds retention_;
  size_t sample_count_ = 0;
  int64_t newest_ms_ = INT64_MIN;
  // Keyed by the fingerprint of the full label set (with __name__); collisions chain in a vector.
  std::unordered_map<uint64_t, std::vector<std::unique_ptr<Entry>>> series_by_fp_;
  std::unordered_map<std::string, std::vector<Entry*>> series_by_name_;
  std::vector<Entry*> series_;
  // source -> fingerprints appended in that source's previous round.
  std::unordered_map<std::string, std::vector<Entry*>> last_round_;
};

}  // namespace opswatch
