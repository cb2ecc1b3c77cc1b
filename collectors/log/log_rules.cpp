#include "collectors/log/log_rules.hpp"

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
  return rules;
}

}  // namespace opswatch
