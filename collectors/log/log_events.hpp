// Counts log lines per configured event, with the event's labels taken from regex captures or
// JSON fields. Each label keeps at most label_limit distinct values; a further value is counted
// as "other" and in the event's overflow counter, so a label fed by a request id cannot grow the
// exposition without bound.
// Thread-safety: not thread-safe; used from the collector's serialised runs.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/log/log_config.hpp"
#include "core/metric.hpp"

namespace opswatch {

// The value a label gets once it has label_limit others.
inline constexpr std::string_view kLogOverflowValue = "other";

// The observations of an event's `value`: per bucket (not cumulative; the last is +Inf), count
// and sum.
struct LogEventValues {
  std::vector<uint64_t> buckets;
  uint64_t count = 0;
  double sum = 0;
};

struct LogEventCounts {
  std::map<std::vector<std::string>, uint64_t> series;  // label values (in config order) -> count
  uint64_t overflow = 0;
  LogEventValues values;  // events with a value only
};

class LogEventCounter {
 public:
  LogEventCounter(const std::vector<LogEventConfig>& events, uint64_t label_limit);

  // One line; `fields` is its parsed object (format json or logfmt) or null. Returns how many
  // matching events had a `value` that was missing or not a finite number (the match still
  // counts; the histogram does not observe it).
  uint64_t Observe(std::string_view line, const nlohmann::json* fields);

  // By event name, for saving; Restore ignores events no longer configured or whose labels
  // changed (their counts no longer mean the same).
  const std::vector<LogEventCounts>& counts() const { return counts_; }
  void Restore(const std::string& event, const std::vector<std::string>& labels,
               LogEventCounts counts);

  // Appends the events, label-overflow and value-histogram samples.
  void AddSamples(MetricFamily& events, MetricFamily& overflow, MetricFamily& values) const;

 private:
  std::string Capped(size_t event, size_t label, std::string value);
  // False when the value is missing or not a finite number.
  bool ObserveValue(size_t event, std::optional<double> value);

  const std::vector<LogEventConfig>& events_;
  uint64_t label_limit_;
  std::vector<LogEventCounts> counts_;                    // parallel to events_
  std::vector<std::vector<std::set<std::string>>> seen_;  // [event][label] distinct values
};

}  // namespace opswatch
