#include "collectors/log/log_config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "collectors/collector_services.hpp"
#include "collectors/log/log_collector.hpp"

namespace opswatch {
namespace {

// The raw text of a scalar key: regexes and checks are code, not ${ENV}-expanded (`$` is an
// anchor in RE2 and the JSON root in checks).
std::optional<YAML::Node> RawScalar(MapReader& reader, const std::string& key, bool& ok) {
  YAML::Node node = reader.Child(key);
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  if (!node.IsScalar()) {
    reader.errors().Add(node, reader.KeyPath(key) + ": expected a single value");
    ok = false;
    return std::nullopt;
  }
  return node;
}

std::optional<double> StrictDouble(const std::string& text) {
  errno = 0;
  char* end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE ||
      !std::isfinite(number)) {
    return std::nullopt;
  }
  return number;
}

// buckets: finite upper bounds in increasing order (+Inf is implied, as in Prometheus).
bool ReadBuckets(MapReader& reader, std::vector<double>& out) {
  YAML::Node node = reader.Child("buckets");
  if (!node.IsDefined() || node.IsNull()) return true;
  std::string path = reader.KeyPath("buckets");
  if (!node.IsSequence() || node.size() == 0) {
    reader.errors().Add(node, path + ": expected a non-empty list of numbers");
    return false;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    std::string item_path = path + "[" + std::to_string(i) + "]";
    auto bound = node[i].IsScalar() ? StrictDouble(node[i].Scalar()) : std::nullopt;
    if (!bound) {
      reader.errors().Add(node[i], item_path + ": expected a finite number");
      return false;
    }
    if (!out.empty() && *bound <= out.back()) {
      reader.errors().Add(node[i], item_path + ": buckets must increase (" + node[i].Scalar() +
                                       " after " + node[i - 1].Scalar() + ")");
      return false;
    }
    out.push_back(*bound);
  }
  return true;
}

// thresholds.max_rate: matches per second (0.5), or a count within a window ("10/5m", the
// runbook's "count over 5m exceeds 10"), which also sets the window LogEventRate looks at.
bool ReadEventThresholds(MapReader& reader, LogEventConfig& event) {
  YAML::Node node = reader.Child("thresholds");
  MapReader thresholds(node, reader.KeyPath("thresholds"), reader.errors(), reader.env());
  bool ok = true;
  if (thresholds.Has("max_rate")) {
    std::string text;
    ok = thresholds.String("max_rate", text);
    size_t slash = text.find('/');
    std::optional<double> count = StrictDouble(text.substr(0, slash));
    Result<Millis> window = slash == std::string::npos ? Result<Millis>(Millis(300000))
                                                       : ParseDuration(text.substr(slash + 1));
    if (ok && (!count || *count < 0 || !window || window->count() <= 0)) {
      thresholds.Fail("max_rate",
                      "expected matches per second (0.5) or a count per window "
                      "(10/5m), got \"" +
                          text + "\"");
      ok = false;
    } else if (ok) {
      event.rate_window_seconds = double(window->count()) / 1000.0;
      event.max_count = slash == std::string::npos ? *count * event.rate_window_seconds : *count;
    }
  }
  thresholds.Finish();
  return ok;
}

// value: the named capture or field whose number feeds the event's histogram.
bool ReadEventValue(MapReader& reader, LogFormat format, const std::set<std::string>& captures,
                    LogEventConfig& event) {
  if (!reader.String("value", event.value)) return false;
  bool ok = ReadBuckets(reader, event.buckets);
  if (event.value.empty()) {
    if (ok && !event.buckets.empty()) {
      reader.Fail("buckets", "needs value (the field or capture the histogram observes)");
      return false;
    }
    return ok;
  }
  if (!captures.contains(event.value) && !HasFields(format)) {
    reader.Fail("value", "\"" + event.value +
                             "\" is not a named capture of regex (and format has no fields)");
    return false;
  }
  return ok;
}

bool ReadEvent(MapReader& reader, LogFormat format, LogEventConfig& event) {
  bool ok = reader.String("name", event.name, /*required=*/true);
  if (ok && !IsValidLabelName(event.name)) {
    reader.Fail("name", "must match [a-zA-Z_][a-zA-Z0-9_]* (it becomes the event label)");
    ok = false;
  }
  if (auto node = RawScalar(reader, "match", ok)) {
    CheckParseError error;
    auto check = ParseCheck(node->Scalar(), &error);
    if (!check) {
      reader.errors().Add(
          MarkInside(*node, error.offset),
          reader.KeyPath("match") + ": " + check.error() + " in \"" + node->Scalar() + "\"");
      ok = false;
    } else if (check->uses_json() && !HasFields(format)) {
      reader.Fail("match",
                  "reads fields, which needs format: json or logfmt (text lines are `body`)");
      ok = false;
    } else {
      event.match = std::move(check).value();
    }
  }
  std::set<std::string> captures;
  if (auto node = RawScalar(reader, "regex", ok); node && !node->Scalar().empty()) {
    RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_shared<const RE2>(node->Scalar(), options);
    if (!regex->ok()) {
      reader.Fail("regex", "invalid RE2 regular expression: " + regex->error());
      ok = false;
    } else {
      for (const auto& [name, index] : regex->NamedCapturingGroups()) captures.insert(name);
      event.regex = std::move(regex);
    }
  }
  if (ok && !event.match && !event.regex) {
    reader.Fail("name", "event \"" + event.name + "\" needs a match, a regex or both");
    ok = false;
  }
  if (!reader.StringList("labels", event.labels)) return false;
  std::set<std::string> seen;
  for (const std::string& label : event.labels) {
    std::string problem;
    if (!IsValidLabelName(label) || label.starts_with("__")) {
      problem = "\"" + label + "\" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, no leading __)";
    } else if (label == "event" || label == "collector" || label == "path") {
      problem = "\"" + label + "\" is reserved (opswatch sets it)";
    } else if (!seen.insert(label).second) {
      problem = "duplicate label \"" + label + "\"";
    } else if (!captures.contains(label) && !HasFields(format)) {
      problem = "\"" + label + "\" is not a named capture of regex (and format has no fields)";
    }
    if (!problem.empty()) {
      reader.Fail("labels", problem);
      ok = false;
    }
  }
  ok = ReadEventValue(reader, format, captures, event) && ok;
  return ReadEventThresholds(reader, event) && ok;
}

bool ReadEvents(MapReader& reader, LogConfig& config) {
  YAML::Node node = reader.Child("events");
  if (!node.IsDefined() || node.IsNull()) return true;
  std::string path = reader.KeyPath("events");
  if (!node.IsSequence()) {
    reader.errors().Add(node, path + ": expected a list of events");
    return false;
  }
  bool ok = true;
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    MapReader item(node[i], path + "[" + std::to_string(i) + "]", reader.errors(), reader.env());
    LogEventConfig event;
    bool event_ok = ReadEvent(item, config.format, event);
    if (event_ok && !names.insert(event.name).second) {
      item.Fail("name", "duplicate event name \"" + event.name + "\"");
      event_ok = false;
    }
    item.Finish();
    ok = ok && event_ok;
    if (event_ok) config.events.push_back(std::move(event));
  }
  return ok;
}

bool ReadSizes(MapReader& reader, LogConfig& config) {
  bool ok = reader.Size("max_line_bytes", config.max_line_bytes) &&
            reader.Size("read_limit", config.read_limit);
  if (!ok) return false;
  if (config.max_line_bytes == 0) {
    reader.Fail("max_line_bytes", "must be greater than 0");
    return false;
  }
  // A line must fit in one run's reading, or a long line would never complete.
  if (config.read_limit < config.max_line_bytes) {
    reader.Fail("read_limit", "must be at least max_line_bytes");
    return false;
  }
  int64_t label_limit = int64_t(config.label_limit);
  if (!reader.Int("label_limit", label_limit)) return false;
  if (label_limit < 1) {
    reader.Fail("label_limit", "must be at least 1");
    return false;
  }
  config.label_limit = uint64_t(label_limit);
  return true;
}

}  // namespace

Result<LogPathPattern> ParseLogPath(const std::string& text) {
  if (text.empty() || text[0] != '/') {
    return Result<LogPathPattern>::Error("\"" + text + "\" is not an absolute path");
  }
  // The root ends before the first segment with a glob character; a path without any is a
  // single file, its own pattern, so it is picked up when it appears later.
  size_t first_glob = text.find_first_of("*?[");
  size_t root_end = text.rfind('/', first_glob == std::string::npos ? text.size() : first_glob);
  LogPathPattern pattern;
  pattern.text = text;
  pattern.root = root_end == 0 ? "/" : text.substr(0, root_end);
  auto glob = PathGlob::Parse(text.substr(root_end + 1));
  if (!glob) return Result<LogPathPattern>::Error("\"" + text + "\": " + glob.error());
  pattern.glob = std::move(glob).value();
  return pattern;
}

std::optional<ParsedCollector> ParseLogCollector(MapReader& reader, const CollectorIdentity& id) {
  LogConfig config;
  config.collector = id.name;
  config.state_dir = id.state_dir;
  std::vector<std::string> paths;
  bool ok = reader.StringList("paths", paths, /*required=*/true);
  if (ok && paths.empty()) {
    reader.Fail("paths", "must list at least one path");
    ok = false;
  }
  for (const std::string& text : paths) {
    auto pattern = ParseLogPath(text);
    if (!pattern) {
      reader.Fail("paths", pattern.error());
      ok = false;
    } else {
      config.paths.push_back(std::move(pattern).value());
    }
  }
  std::string format = "text";
  if (!reader.String("format", format)) {
    ok = false;
  } else if (format == "json") {
    config.format = LogFormat::kJson;
  } else if (format == "logfmt") {
    config.format = LogFormat::kLogfmt;
  } else if (format != "text") {
    reader.Fail("format", "must be text, json or logfmt (got \"" + format + "\")");
    ok = false;
  }
  ok = reader.Bool("from_beginning", config.from_beginning) && ok;
  ok = ReadSizes(reader, config) && ok;
  ok = ReadEvents(reader, config) && ok;

  YAML::Node thresholds_node = reader.Child("thresholds");
  MapReader thresholds(thresholds_node, reader.KeyPath("thresholds"), reader.errors(),
                       reader.env());
  if (thresholds.Has("max_silence")) {
    Millis silence{0};
    if (!thresholds.Duration("max_silence", silence)) {
      ok = false;
    } else if (silence.count() <= 0) {
      thresholds.Fail("max_silence", "must be positive");
      ok = false;
    } else {
      config.max_silence_seconds = double(silence.count()) / 1000.0;
    }
  }
  thresholds.Finish();
  if (!ok) return std::nullopt;

  ParsedCollector parsed;
  if (config.max_silence_seconds) parsed.thresholds["max_silence"] = *config.max_silence_seconds;
  for (const LogEventConfig& event : config.events) {
    if (!event.max_count) continue;
    parsed.thresholds[LogEventRateThresholdKeys::MaxCount(event.name)] = *event.max_count;
    parsed.thresholds[LogEventRateThresholdKeys::Window(event.name)] = event.rate_window_seconds;
  }
  parsed.create = [config](CollectorServices& services) -> std::unique_ptr<Collector> {
    return std::make_unique<LogCollector>(config, services.clock(), services.logger());
  };
  return parsed;
}

}  // namespace opswatch
