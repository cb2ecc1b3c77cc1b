#include "collectors/log/log_config.hpp"

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
    } else if (check->uses_json() && format != LogFormat::kJson) {
      reader.Fail("match", "reads JSON fields, which needs format: json (text lines are `body`)");
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
    } else if (!captures.contains(label) && format != LogFormat::kJson) {
      problem = "\"" + label + "\" is not a named capture of regex (and format is not json)";
    }
    if (!problem.empty()) {
      reader.Fail("labels", problem);
      ok = false;
    }
  }
  return ok;
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
  } else if (format != "text") {
    reader.Fail("format", "must be text or json (got \"" + format + "\")");
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
  parsed.create = [config](CollectorServices& services) -> std::unique_ptr<Collector> {
    return std::make_unique<LogCollector>(config, services.clock(), services.logger());
  };
  return parsed;
}

}  // namespace opswatch
