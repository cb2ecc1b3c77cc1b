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

// One series as the evaluator reads it: labels include __name__. The name-less label set and
// its fingerprint are kept alongside because most PromQL operations drop the name; computing
// them once per series instead of once per evaluation keeps a round of rules cheap.
struct HistorySeries {
  std::string name;
  Labels labels;
  Labels labels_without_name;
  uint64_t fingerprint_without_name = 0;
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

  // Read access for the evaluator; valid until the next Append.
  std::span<const HistorySeries* const> SeriesNamed(std::string_view name) const;
  std::span<const HistorySeries* const> AllSeries() const;

 private:
  using Entry = HistorySeries;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  Entry& Upsert(const std::string& name, const Labels& labels, uint64_t fingerprint);
  void Push(Entry& entry, int64_t t_ms, double value);
  void Prune(int64_t newest_ms);

  std::chrono::milliseconds retention_;
  size_t sample_count_ = 0;
  int64_t newest_ms_ = INT64_MIN;
  // Keyed by the fingerprint of the full label set (with __name__); collisions chain in a vector.
  std::unordered_map<uint64_t, std::vector<std::unique_ptr<Entry>>> series_by_fp_;
  std::unordered_map<std::string, std::vector<Entry*>, NameHash, std::equal_to<>> series_by_name_;
  std::vector<Entry*> series_;
  // source -> series appended in that source's previous round.
  std::unordered_map<std::string, std::vector<Entry*>> last_round_;
};

}  // namespace opswatch
