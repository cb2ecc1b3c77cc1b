#include "collectors/log/log_events.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace opswatch {
namespace {

// The regex's named groups (name -> index); none without a regex.
const std::map<std::string, int>& NamedCaptures(const LogEventConfig& event) {
  static const std::map<std::string, int> kNone;
  return event.regex ? event.regex->NamedCapturingGroups() : kNone;
}

// The named capture `name` of the line's match as text, else its top-level field `name`, else
// null. Objects and arrays count as absent: neither a label nor a value can use them.
nlohmann::json CaptureOrField(const LogEventConfig& event,
                              const std::vector<re2::StringPiece>& groups,
                              const nlohmann::json* fields, const std::string& name) {
  const auto& captures = NamedCaptures(event);
  if (auto it = captures.find(name); it != captures.end()) {
    const re2::StringPiece& group = groups[size_t(it->second)];
    return std::string(group.data() ? group.data() : "", group.size());
  }
  if (!fields || !fields->is_object()) return nullptr;
  auto it = fields->find(name);
  if (it == fields->end() || it->is_structured()) return nullptr;
  return *it;
}

// A value as label text: strings as they are, other scalars as JSON writes them, absent or null
// as "" (Prometheus treats an empty label as no label).
std::string LabelText(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// A number, or text that is a number in full ("2150", "1.5e3"); nullopt for anything else,
// infinities and NaN included.
std::optional<double> NumberOf(const nlohmann::json& value) {
  if (value.is_number()) {
    double number = value.get<double>();
    return std::isfinite(number) ? std::optional(number) : std::nullopt;
  }
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.get_ref<const std::string&>();
  errno = 0;
  char* end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE ||
      !std::isfinite(number)) {
    return std::nullopt;
  }
  return number;
}

}  // namespace

LogEventCounter::LogEventCounter(const std::vector<LogEventConfig>& events, uint64_t label_limit)
    : events_(events), label_limit_(label_limit), counts_(events.size()), seen_(events.size()) {
  for (size_t i = 0; i < events.size(); ++i) {
    seen_[i].resize(events[i].labels.size());
    // An event without labels has one series, published from the start so rate() sees its zero.
    if (events[i].labels.empty()) counts_[i].series[{}] = 0;
    if (!events[i].value.empty()) counts_[i].values.buckets.assign(events[i].buckets.size() + 1, 0);
  }
}

bool LogEventCounter::ObserveValue(size_t event, std::optional<double> value) {
  if (!value) return false;
  LogEventValues& values = counts_[event].values;
  const std::vector<double>& bounds = events_[event].buckets;
  // Prometheus's le is inclusive: 100 falls in the bucket le="100".
  size_t bucket = size_t(std::lower_bound(bounds.begin(), bounds.end(), *value) - bounds.begin());
  ++values.buckets[bucket];
  ++values.count;
  values.sum += *value;
  return true;
}

std::string LogEventCounter::Capped(size_t event, size_t label, std::string value) {
  std::set<std::string>& seen = seen_[event][label];
  if (seen.contains(value)) return value;
  if (seen.size() >= label_limit_) {
    ++counts_[event].overflow;
    return std::string(kLogOverflowValue);
  }
  seen.insert(value);
  return value;
}

uint64_t LogEventCounter::Observe(std::string_view line, const nlohmann::json* json) {
  uint64_t invalid_values = 0;
  for (size_t i = 0; i < events_.size(); ++i) {
    const LogEventConfig& event = events_[i];
    std::vector<re2::StringPiece> groups;
    if (event.regex) {
      groups.resize(size_t(event.regex->NumberOfCapturingGroups()) + 1);
      if (!event.regex->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(),
                              RE2::UNANCHORED, groups.data(), int(groups.size()))) {
        continue;
      }
    }
    if (event.match) {
      // A line without the fields the match reads simply does not match.
      auto matched = event.match->Evaluate(CheckInput{0, 0, line, json});
      if (!matched || !*matched) continue;
    }
    std::vector<std::string> values;
    values.reserve(event.labels.size());
    for (size_t l = 0; l < event.labels.size(); ++l) {
      values.push_back(
          Capped(i, l, LabelText(CaptureOrField(event, groups, json, event.labels[l]))));
    }
    ++counts_[i].series[values];
    if (event.value.empty()) continue;
    if (!ObserveValue(i, NumberOf(CaptureOrField(event, groups, json, event.value)))) {
      ++invalid_values;
    }
  }
  return invalid_values;
}

void LogEventCounter::Restore(const std::string& event, const std::vector<std::string>& labels,
                              LogEventCounts counts) {
  for (size_t i = 0; i < events_.size(); ++i) {
    if (events_[i].name != event || events_[i].labels != labels) continue;
    for (const auto& [values, count] : counts.series) {
      if (values.size() != labels.size()) continue;
      for (size_t l = 0; l < values.size(); ++l) {
        if (values[l] != kLogOverflowValue && seen_[i][l].size() < label_limit_) {
          seen_[i][l].insert(values[l]);
        }
      }
      counts_[i].series[values] = count;
    }
    counts_[i].overflow = counts.overflow;
    // Saved observations count only while the buckets are the same.
    if (counts.values.buckets.size() == counts_[i].values.buckets.size()) {
      counts_[i].values = std::move(counts.values);
    }
  }
}

void LogEventCounter::AddSamples(MetricFamily& events, MetricFamily& overflow,
                                 MetricFamily& values) const {
  for (size_t i = 0; i < events_.size(); ++i) {
    const LogEventConfig& event = events_[i];
    for (const auto& [values, count] : counts_[i].series) {
      Labels labels{{"event", event.name}};
      for (size_t l = 0; l < values.size(); ++l) labels.Set(event.labels[l], values[l]);
      events.Add(std::move(labels), double(count));
    }
    if (!event.labels.empty()) {
      overflow.Add(Labels{{"event", event.name}}, double(counts_[i].overflow));
    }
    if (event.value.empty()) continue;
    const LogEventValues& observed = counts_[i].values;
    HistogramValue histogram;
    uint64_t cumulative = 0;
    for (size_t b = 0; b < event.buckets.size(); ++b) {
      cumulative += observed.buckets[b];
      histogram.buckets.emplace_back(event.buckets[b], cumulative);
    }
    histogram.count = observed.count;
    histogram.sum = observed.sum;
    values.samples.push_back(Sample{Labels{{"event", event.name}}, 0, std::move(histogram)});
  }
}

}  // namespace opswatch
