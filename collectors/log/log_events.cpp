#include "collectors/log/log_events.hpp"

namespace opswatch {
namespace {

// A field's value as label text: strings as they are, other scalars as JSON writes them, an
// absent field or null as "" (Prometheus treats an empty label as no label).
std::string FieldText(const nlohmann::json* json, const std::string& field) {
  if (!json || !json->is_object()) return "";
  auto it = json->find(field);
  if (it == json->end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_structured()) return "";
  return it->dump();
}

}  // namespace

LogEventCounter::LogEventCounter(const std::vector<LogEventConfig>& events, uint64_t label_limit)
    : events_(events), label_limit_(label_limit), counts_(events.size()), seen_(events.size()) {
  for (size_t i = 0; i < events.size(); ++i) {
    seen_[i].resize(events[i].labels.size());
    // An event without labels has one series, published from the start so rate() sees its zero.
    if (events[i].labels.empty()) counts_[i].series[{}] = 0;
  }
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

void LogEventCounter::Observe(std::string_view line, const nlohmann::json* json) {
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
      const std::string& label = event.labels[l];
      std::string value;
      static const std::map<std::string, int> kNoGroups;
      const auto& names = event.regex ? event.regex->NamedCapturingGroups() : kNoGroups;
      if (auto it = names.find(label); it != names.end()) {
        const re2::StringPiece& group = groups[size_t(it->second)];
        value.assign(group.data() ? group.data() : "", group.size());
      } else {
        value = FieldText(json, label);
      }
      values.push_back(Capped(i, l, std::move(value)));
    }
    ++counts_[i].series[values];
  }
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
  }
}

void LogEventCounter::AddSamples(MetricFamily& events, MetricFamily& overflow) const {
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
  }
}

}  // namespace opswatch
