// A bounded in-memory history of every series the rule engine has seen, for range functions
// (rate, *_over_time) and the 5m lookback of instant selectors. Samples are kept in millisecond
// resolution, as Prometheus stores them, so extrapolation arithmetic matches it bit for bit.
// Thread-safety: not thread-safe; the rule evaluator owns one and appends and evaluates from a
// single thread (or under its own lock).
#pragma once

#include <bit>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/labels.hpp"
#include "core/metric.hpp"

namespace opswatch {

// Prometheus's staleness marker: a NaN with a distinct bit pattern (value.StaleNaN).
inline constexpr uint64_t kStaleMarkerBits = 0x7ff0000000000002ULL;
inline double StaleMarker() { return std::bit_cast<double>(kStaleMarkerBits); }
inline bool IsStaleMarker(double value) {
  return std::bit_cast<uint64_t>(value) == kStaleMarkerBits;
}

// One label's hash, precomputed per series label so that matching on(...) or grouping by(...)
// combines hashes instead of hashing label bytes for every sample of every rule.
inline uint64_t LabelHash(std::string_view name, std::string_view value) {
  const std::hash<std::string_view> hasher;
  return (hasher(name) * 0x9e3779b97f4a7c15ULL) ^ hasher(value);
}

struct HistoryPoint {
  int64_t t_ms;
  double value;
};

// One series as the evaluator reads it: labels include __name__. The name-less label set and
// its fingerprint are kept alongside because most PromQL operations drop the name; computing
// them once per series instead of once per evaluation keeps a round of rules cheap.
struct HistorySeries {
  std::string name;
  uint32_t name_id = 0;  // equal for series of the same name: cheaper to compare than `name`
  Labels labels;
  Labels labels_without_name;
  uint64_t fingerprint_without_name = 0;
  std::vector<uint64_t> label_hashes;               // LabelHash of each of `labels`
  std::vector<uint64_t> label_hashes_without_name;  // and of each of `labels_without_name`
  std::vector<HistoryPoint> points;  // increasing t_ms; points before `head` are pruned lazily
  size_t head = 0;
  size_t stale_markers = 0;  // among points[head..]: range selections skip the filter when 0
  uint64_t last_append = 0;  // the Append call that last gave it a sample (staleness tracking)
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
  // The same for a snapshot's families, without copying every series first (histograms are
  // expanded as FlattenFamily does).
  void AppendFamilies(SystemTime t, const std::vector<MetricFamily>& families,
                      const std::string& source = "");

  size_t series_count() const { return series_.size(); }
  // Changes whenever a series is added or forgotten: lists of matching series computed from an
  // earlier generation (promql::SelectionCache) are stale once it moves.
  uint64_t generation() const { return generation_; }
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
  struct SeriesView {
    const std::string* name;
    const Labels* labels;
    double value;
  };
  void AppendViews(SystemTime t, const std::vector<SeriesView>& series, const std::string& source);
  Entry& Upsert(const std::string& name, const Labels& labels);
  void Push(Entry& entry, int64_t t_ms, double value);
  void Prune(int64_t newest_ms);

  std::chrono::milliseconds retention_;
  size_t sample_count_ = 0;
  int64_t newest_ms_ = INT64_MIN;
  uint64_t generation_ = 0;
  uint64_t appends_ = 0;
  // Keyed by the name and the fingerprint of the name-less labels; collisions chain in a vector.
  std::unordered_map<uint64_t, std::vector<std::unique_ptr<Entry>>> series_by_fp_;
  std::unordered_map<std::string, std::vector<Entry*>, NameHash, std::equal_to<>> series_by_name_;
  std::unordered_map<std::string, uint32_t> name_ids_;  // never shrinks: names are few
  std::vector<Entry*> series_;
  // source -> series appended in that source's previous round.
  std::unordered_map<std::string, std::vector<Entry*>> last_round_;
};

}  // namespace opswatch
