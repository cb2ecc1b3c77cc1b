#include "collectors/log/log_rules.hpp"

#include "collectors/log/log_config.hpp"
#include "collectors/log/log_metrics.hpp"
#include "core/humanize.hpp"

namespace opswatch {

std::vector<AlertRuleText> LogBuiltinRules(const std::string& collector,
                                           const Thresholds& thresholds) {
  std::vector<AlertRuleText> rules;
  if (auto silence = FindThreshold(thresholds, "max_silence")) {
    // The newest line of any followed file: with daily files or rotation, old files are silent by
    // design, and "no new logs arriving" is about the set.
    rules.push_back(
        {"LogSilent",
         "time() - max by (collector) (" +
             CollectorSelector(log_metrics::kLastLineTimestamp, collector) + ") > " +
             FormatThreshold(*silence),
         std::chrono::minutes(1), "warning", "No new log line for {{ $value | humanizeDuration }}",
         "No file of {{ $labels.collector }} got a new line for {{ $value | humanizeDuration }}, "
         "more than the allowed " +
             HumanizeDuration(*silence) + ".",
         "Check that the service runs and still writes to the configured paths (a changed log "
         "directory or file name, a full disk, a logger stuck after rotation)."});
  }
  // LogEventRate: one rule per event with max_rate, as the runbooks say it ("count over 5m
  // exceeds 10"): increase over the window against the count.
  const std::string kPrefix = LogEventRateThresholdKeys::MaxCount("");
  for (const auto& [key, max_count] : thresholds) {
    if (!key.starts_with(kPrefix)) continue;
    std::string event = key.substr(kPrefix.size());
    double window_seconds =
        FindThreshold(thresholds, LogEventRateThresholdKeys::Window(event)).value_or(300);
    std::string window = FormatDuration(Millis(int64_t(window_seconds * 1000)));
    std::string selector = CollectorSelector(log_metrics::kEvents, collector);
    selector.insert(selector.size() - 1, ",event=\"" + event + "\"");
    rules.push_back(
        {"LogEventRate",
         "sum by (collector, event) (increase(" + selector + "[" + window + "])) > " +
             FormatThreshold(max_count),
         std::chrono::minutes(1), "warning",
         "{{ $value | humanize }} {{ $labels.event }} events in " + window,
         "{{ $labels.collector }} logged {{ $value | humanize }} {{ $labels.event }} events in "
         "the last " +
             window + ", more than the allowed " + FormatThreshold(max_count) + ".",
         "Read the matching lines for their cause; raise thresholds.max_rate if this rate is "
         "normal now."});
  }
  return rules;
}

}  // namespace opswatch
