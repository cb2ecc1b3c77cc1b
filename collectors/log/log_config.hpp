// The log collector's configuration: which files, how lines are read, which events are counted
// (README, "type: log").
// Thread-safety: value types; a parsed config is immutable and may be shared.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/check_expr.hpp"
#include "collectors/collector.hpp"
#include "collectors/path_glob.hpp"

namespace opswatch {

enum class LogFormat { kText, kJson, kLogfmt };

// Formats whose lines are read into fields (a JSON object) that match and labels can use.
inline bool HasFields(LogFormat format) { return format != LogFormat::kText; }

// One configured path: a directory without glob characters and the glob below it.
struct LogPathPattern {
  std::string text;  // as configured, e.g. /var/log/app/**/*.ndjson
  std::string root;  // /var/log/app
  PathGlob glob;     // **/*.ndjson
};

struct LogEventConfig {
  std::string name;
  std::optional<CheckExpr> match;    // over the JSON fields (and `body`, the raw line)
  std::shared_ptr<const RE2> regex;  // unanchored, on the raw line; null when not set
  std::vector<std::string> labels;   // each a named capture of regex or a top-level field
  std::string value;                 // a named capture or field holding a number; "" = none
  std::vector<double> buckets;       // the value histogram's upper bounds, increasing (no +Inf)
  // LogEventRate: more than max_count matches within rate_window (max_rate x window).
  std::optional<double> max_count;
  double rate_window_seconds = 300;
};

struct LogConfig {
  std::string collector;  // the collector's name (names its positions file)
  std::string state_dir;
  std::vector<LogPathPattern> paths;
  LogFormat format = LogFormat::kText;
  bool from_beginning = false;
  uint64_t max_line_bytes = 64 << 10;
  uint64_t read_limit = 64 << 20;
  uint64_t label_limit = 100;
  std::vector<LogEventConfig> events;
  std::optional<double> max_silence_seconds;
};

// Reads paths, format, from_beginning, max_line_bytes, read_limit, label_limit, events and
// thresholds {max_silence}. ParsedCollector.thresholds holds max_silence in seconds and, per
// event with thresholds.max_rate, LogEventRateThresholdKeys.
std::optional<ParsedCollector> ParseLogCollector(MapReader& reader, const CollectorIdentity& id);

// The threshold keys an event's LogEventRate settings travel under (event names are label names,
// so the ':' cannot clash).
struct LogEventRateThresholdKeys {
  static std::string MaxCount(const std::string& event) { return "max_count:" + event; }
  static std::string Window(const std::string& event) { return "rate_window:" + event; }
};

// Splits an absolute path glob into the directory before its first glob character and the
// pattern below it ("/var/log/*.log" -> "/var/log", "*.log"). Exposed for tests.
Result<LogPathPattern> ParseLogPath(const std::string& text);

}  // namespace opswatch
