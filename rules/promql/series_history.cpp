#include "rules/promql/series_history.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace opswatch {
namespace {

constexpr std::string_view kMetricName = "__name__";

int64_t ToMillis(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

SeriesHistory::SeriesHistory(std::chrono::milliseconds retention) : retention_(retention) {}

void SeriesHistory::SetRetention(std::chrono::milliseconds retention) { retention_ = retention; }

// `labels` carries no __name__ (Series keeps the name apart). Looking a series up neither copies
// its labels nor hashes them twice: this runs for every series of every evaluation round.
SeriesHistory::Entry& SeriesHistory::Upsert(const std::string& name, const Labels& labels) {
  const uint64_t fingerprint = labels.Fingerprint();
  const uint64_t key = fingerprint ^ (std::hash<std::string>{}(name)*0x9e3779b97f4a7c15ULL);
  auto& chain = series_by_fp_[key];
  for (auto& entry : chain) {
    if (entry->name == name && entry->labels_without_name == labels) return *entry;
  }
  auto entry = std::make_unique<Entry>();
  entry->name = name;
  entry->name_id = name_ids_.emplace(name, static_cast<uint32_t>(name_ids_.size())).first->second;
  entry->labels_without_name = labels;
  entry->labels = labels;
  entry->labels.Set(kMetricName, name);
  entry->fingerprint_without_name = fingerprint;
  for (const auto& label : entry->labels) {
    entry->label_hashes.push_back(LabelHash(label.name, label.value));
  }
  for (const auto& label : entry->labels_without_name) {
    entry->label_hashes_without_name.push_back(LabelHash(label.name, label.value));
  }
  Entry* raw = entry.get();
  chain.push_back(std::move(entry));
  series_by_name_[name].push_back(raw);
  series_.push_back(raw);
  ++generation_;
  return *raw;
}

void SeriesHistory::Push(Entry& entry, int64_t t_ms, double value) {
  auto& points = entry.points;
  if (points.size() > entry.head && points.back().t_ms >= t_ms) return;
  points.push_back(HistoryPoint{t_ms, value});
  if (IsStaleMarker(value)) ++entry.stale_markers;
  ++sample_count_;
}

void SeriesHistory::Append(SystemTime t, const std::vector<Series>& series,
                           const std::string& source) {
  std::vector<SeriesView> views;
  views.reserve(series.size());
  for (const auto& s : series) views.push_back(SeriesView{&s.name, &s.labels, s.value});
  AppendViews(t, views, source);
}

void SeriesHistory::AppendFamilies(SystemTime t, const std::vector<MetricFamily>& families,
                                   const std::string& source) {
  // Histograms become several synthesized series; everything else is read in place. Expand
  // them all first: views into `expanded` must not move while it grows.
  std::vector<Series> expanded;
  std::vector<size_t> expanded_end(families.size(), 0);
  for (size_t f = 0; f < families.size(); ++f) {
    if (families[f].type == MetricType::kHistogram) FlattenFamily(families[f], expanded);
    expanded_end[f] = expanded.size();
  }
  std::vector<SeriesView> views;
  for (size_t f = 0; f < families.size(); ++f) {
    const MetricFamily& family = families[f];
    if (family.type == MetricType::kHistogram) {
      for (size_t i = f == 0 ? 0 : expanded_end[f - 1]; i < expanded_end[f]; ++i) {
        views.push_back(SeriesView{&expanded[i].name, &expanded[i].labels, expanded[i].value});
      }
      continue;
    }
    for (const auto& sample : family.samples) {
      views.push_back(SeriesView{&family.name, &sample.labels, sample.value});
    }
  }
  AppendViews(t, views, source);
}

void SeriesHistory::AppendViews(SystemTime t, const std::vector<SeriesView>& series,
                                const std::string& source) {
  const int64_t t_ms = ToMillis(t);
  const uint64_t append = ++appends_;
  std::vector<Entry*> this_round;
  this_round.reserve(series.size());
  auto& previous = last_round_[source];
  for (size_t i = 0; i < series.size(); ++i) {
    const std::string& name = *series[i].name;
    const Labels& labels = *series[i].labels;
    // A source sends the same series in the same order round after round: comparing with the
    // previous round's i-th series skips hashing and the index lookup.
    Entry* entry = i < previous.size() ? previous[i] : nullptr;
    if (entry == nullptr || entry->name != name || entry->labels_without_name != labels) {
      entry = labels.Has(kMetricName) ? &Upsert(name, Labels(labels).Remove(kMetricName))
                                      : &Upsert(name, labels);
    }
    Push(*entry, t_ms, series[i].value);
    entry->last_append = append;
    this_round.push_back(entry);
  }
  if (!previous.empty()) {
    for (Entry* entry : previous) {
      if (entry->last_append != append) {
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
      if (IsStaleMarker(s.points[s.head].value)) --s.stale_markers;
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
  ++generation_;
  for (auto it = series_by_fp_.begin(); it != series_by_fp_.end();) {
    std::erase_if(it->second, [](const std::unique_ptr<Entry>& e) { return e->points.empty(); });
    it = it->second.empty() ? series_by_fp_.erase(it) : std::next(it);
  }
}

size_t SeriesHistory::bytes_estimate() const {
  size_t bytes = 0;
  for (const Entry* entry : series_) {
    bytes += sizeof(Entry) + entry->name.capacity() +
             entry->points.capacity() * sizeof(HistoryPoint) +
             (entry->label_hashes.capacity() + entry->label_hashes_without_name.capacity()) *
                 sizeof(uint64_t);
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
