#include "rules/series_history.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace opswatch {
namespace {

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;  // Prometheus value.StaleNaN
constexpr std::string_view kMetricName = "__name__";

int64_t ToMillis(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

double StaleMarker() { return std::bit_cast<double>(kStaleNaNBits); }
bool IsStaleMarker(double value) { return std::bit_cast<uint64_t>(value) == kStaleNaNBits; }

SeriesHistory::SeriesHistory(std::chrono::milliseconds retention) : retention_(retention) {}

void SeriesHistory::SetRetention(std::chrono::milliseconds retention) { retention_ = retention; }

SeriesHistory::Entry& SeriesHistory::Upsert(const std::string& name, const Labels& labels,
                                            uint64_t fingerprint) {
  auto& chain = series_by_fp_[fingerprint];
  for (auto& entry : chain) {
    if (entry->name == name && entry->labels == labels) return *entry;
  }
  auto entry = std::make_unique<Entry>();
  entry->name = name;
  entry->labels = labels;
  entry->labels_without_name = labels;
  entry->labels_without_name.Remove(kMetricName);
  entry->fingerprint_without_name = entry->labels_without_name.Fingerprint();
  Entry* raw = entry.get();
  chain.push_back(std::move(entry));
  series_by_name_[name].push_back(raw);
  series_.push_back(raw);
  return *raw;
}

void SeriesHistory::Push(Entry& entry, int64_t t_ms, double value) {
  auto& points = entry.points;
  if (points.size() > entry.head && points.back().t_ms >= t_ms) return;
  points.push_back(HistoryPoint{t_ms, value});
  ++sample_count_;
}

void SeriesHistory::Append(SystemTime t, const std::vector<Series>& series,
                           const std::string& source) {
  const int64_t t_ms = ToMillis(t);
  std::vector<Entry*> this_round;
  this_round.reserve(series.size());
  for (const auto& s : series) {
    Labels full = s.labels;
    full.Set(kMetricName, s.name);
    Entry& entry = Upsert(s.name, full, full.Fingerprint());
    Push(entry, t_ms, s.value);
    this_round.push_back(&entry);
  }
  auto& previous = last_round_[source];
  if (!previous.empty()) {
    std::unordered_set<Entry*> present(this_round.begin(), this_round.end());
    for (Entry* entry : previous) {
      if (present.count(entry) == 0) {
        const auto live = entry->live();
        if (!live.empty() && !IsStaleMarker(live.back().value)) Push(*entry, t_ms, StaleMarker());
      }
    }
  }
  previous = std::move(this_round);
  newest_ms_ = std::max(newest_ms_, t_ms);
  Prune(newest_ms_);
}

void SeriesHistory::Prune(int64_t newest_ms) {
  const int64_t oldest_kept = newest_ms - retention_.count();
  bool removed_any = false;
  for (Entry* entry : series_) {
    auto& s = *entry;
    while (s.head < s.points.size() && s.points[s.head].t_ms < oldest_kept) {
      ++s.head;
      --sample_count_;
    }
    if (s.head > 0 && s.head * 2 >= s.points.size()) {
      s.points.erase(s.points.begin(), s.points.begin() + static_cast<std::ptrdiff_t>(s.head));
      s.head = 0;
    }
    if (s.points.empty()) removed_any = true;
  }
  if (!removed_any) return;
  // Forget series whose every sample aged out, everywhere they are referenced.
  auto dead = [](const Entry* e) { return e->points.empty(); };
  for (auto& [source, entries] : last_round_) std::erase_if(entries, dead);
  for (auto it = series_by_name_.begin(); it != series_by_name_.end();) {
    std::erase_if(it->second, dead);
    it = it->second.empty() ? series_by_name_.erase(it) : std::next(it);
  }
  std::erase_if(series_, dead);
  for (auto it = series_by_fp_.begin(); it != series_by_fp_.end();) {
    std::erase_if(it->second, [](const std::unique_ptr<Entry>& e) { return e->points.empty(); });
    it = it->second.empty() ? series_by_fp_.erase(it) : std::next(it);
  }
}

size_t SeriesHistory::bytes_estimate() const {
  size_t bytes = 0;
  for (const Entry* entry : series_) {
    bytes +=
        sizeof(Entry) + entry->name.capacity() + entry->points.capacity() * sizeof(HistoryPoint);
    for (const Labels* labels : {&entry->labels, &entry->labels_without_name}) {
      for (const auto& label : *labels) {
        bytes += sizeof(Label) + label.name.capacity() + label.value.capacity();
      }
    }
  }
  return bytes;
}

std::span<const HistorySeries* const> SeriesHistory::SeriesNamed(std::string_view name) const {
  auto it = series_by_name_.find(name);
  if (it == series_by_name_.end()) return {};
  return it->second;
}

std::span<const HistorySeries* const> SeriesHistory::AllSeries() const { return series_; }

}  // namespace opswatch
