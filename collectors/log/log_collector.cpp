#include "collectors/log/log_collector.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "collectors/log/log_metrics.hpp"
#include "collectors/log/logfmt.hpp"
#include "core/atomic_file.hpp"
#include "core/bounded_read.hpp"
#include "core/utf8.hpp"

namespace opswatch {
namespace {

// A cut line may end inside a multi-byte character; that is the cut, not bad input.
std::string_view TrimCutCharacter(std::string_view text) {
  size_t bad = FindInvalidUtf8(text);
  if (bad != std::string_view::npos && text.size() - bad < 4) text = text.substr(0, bad);
  return text;
}

}  // namespace

LogCollector::LogCollector(LogConfig config, Clock& clock, Logger& logger)
    : config_(std::move(config)),
      clock_(clock),
      logger_(logger),
      files_(size_t(config_.max_line_bytes), config_.from_beginning),
      events_(config_.events, config_.label_limit) {}

std::vector<std::string> LogCollector::ListFiles(std::string& errors) {
  OsFileTreeFs fs;
  std::set<std::string> files;
  for (const LogPathPattern& pattern : config_.paths) {
    auto listing = pattern.glob.List(fs, pattern.root);
    // A missing directory is normal before the service first logs; files appear later.
    if (!listing) continue;
    for (const GlobMatch& match : listing->files) files.insert(match.path);
    for (const std::string& error : listing->errors) {
      if (error.find("No such file") == std::string::npos) errors += error + "; ";
    }
  }
  return {files.begin(), files.end()};
}

void LogCollector::LoadState() {
  loaded_ = true;
  if (config_.state_dir.empty()) return;
  std::string path = LogStatePath(config_.state_dir, config_.collector);
  auto text = ReadBoundedFile(path, kStateFileLimit);
  if (!text) {
    if (text.error().find("No such file") == std::string::npos) {
      logger_.Warn("cannot read log positions; starting without them",
                   {{"collector", config_.collector}, {"file", path}, {"err", text.error()}});
    }
    return;
  }
  auto state = ParseLogState(*text);
  if (!state) {
    logger_.Warn("log positions file is damaged; starting without it",
                 {{"collector", config_.collector}, {"file", path}, {"err", state.error()}});
    return;
  }
  files_.Restore(std::move(state->positions));
  paths_ = std::move(state->paths);
  for (LogSavedEvent& event : state->events) {
    events_.Restore(event.name, event.labels, std::move(event.counts));
  }
}

Status LogCollector::SaveState() {
  if (config_.state_dir.empty()) return Status::Ok();
  LogState state;
  state.positions = files_.Positions();
  state.paths = paths_;
  const auto& counts = events_.counts();
  for (size_t i = 0; i < config_.events.size(); ++i) {
    state.events.push_back({config_.events[i].name, config_.events[i].labels, counts[i]});
  }
  std::string path = LogStatePath(config_.state_dir, config_.collector);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  Status written = WriteFileAtomically(path, SerializeLogState(state), Durability::kDurable);
  if (!written.ok()) return Status::Error("cannot save log positions: " + written.message());
  return written;
}

CollectResult LogCollector::Collect(const RunContext& ctx) {
  if (!loaded_) LoadState();
  now_seconds_ = ToUnixSeconds(clock_.SystemNow());
  std::string errors;
  std::vector<std::string> files = ListFiles(errors);
  // Reading stops with a fifth of the run's time left: saving the positions and publishing must
  // still finish by the deadline, or a backlog would make every run time out.
  SteadyTime start = clock_.SteadyNow();
  SteadyTime stop_reading = start + (ctx.deadline - start) * 4 / 5;
  files_.Run(
      files, config_.read_limit, [&] { return clock_.SteadyNow() >= stop_reading; }, *this);
  // Series of paths no longer followed (nor matched: an unreadable file keeps its open error)
  // go, and so do their saved counters.
  std::vector<std::string> followed = files_.Paths();
  followed.insert(followed.end(), files.begin(), files.end());
  std::sort(followed.begin(), followed.end());
  std::erase_if(paths_, [&](const auto& entry) {
    return !std::binary_search(followed.begin(), followed.end(), entry.first);
  });
  Status saved = SaveState();
  if (!saved.ok()) errors += saved.message() + "; ";
  CollectResult result;
  result.families = Families();
  if (!errors.empty()) {
    errors.resize(errors.size() - 2);
    result.status = Status::Error(errors);
  }
  return result;
}

void LogCollector::OnFirstSight(const std::string& path, double mtime_seconds) {
  LogPathCounters& counters = paths_[path];
  if (counters.last_line_seconds == 0) counters.last_line_seconds = mtime_seconds;
}

void LogCollector::OnLine(const std::string& path, const LogLine& line) {
  LogPathCounters& counters = paths_[path];
  ++counters.lines;
  counters.last_line_seconds = now_seconds_;
  std::string_view text = line.text;
  if (line.cut) {
    ++counters.lines_cut;
    text = TrimCutCharacter(text);
  }
  if (!IsValidUtf8(text)) {
    ++counters.read_errors["invalid_utf8"];
    return;
  }
  // A cut line cannot parse; it is already counted as cut, not also as invalid. Regex-only
  // events still see it, and lines that are not valid in the format.
  std::optional<nlohmann::json> fields;
  if (HasFields(config_.format) && !line.cut) {
    fields = ParseFields(text);
    if (!fields) {
      ++counters
            .read_errors[config_.format == LogFormat::kJson ? "invalid_json" : "invalid_logfmt"];
    }
  }
  uint64_t invalid_values = events_.Observe(text, fields ? &*fields : nullptr);
  if (invalid_values > 0) counters.read_errors["invalid_value"] += invalid_values;
}

std::optional<nlohmann::json> LogCollector::ParseFields(std::string_view text) const {
  if (config_.format == LogFormat::kLogfmt) return ParseLogfmt(text);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

void LogCollector::OnBytes(const std::string& path, uint64_t bytes) { paths_[path].bytes += bytes; }

void LogCollector::OnRotation(const std::string& path) { ++paths_[path].rotations; }

void LogCollector::OnTruncation(const std::string& path) { ++paths_[path].truncations; }

void LogCollector::OnReadError(const std::string& path, const std::string& reason) {
  ++paths_[path].read_errors[reason];
}

std::vector<MetricFamily> LogCollector::Families() const {
  MetricFamily events = NewFamily(log_metrics::kEvents);
  MetricFamily overflow = NewFamily(log_metrics::kLabelOverflow);
  MetricFamily values = NewFamily(log_metrics::kEventValue);
  events_.AddSamples(events, overflow, values);
  MetricFamily lines = NewFamily(log_metrics::kLines);
  MetricFamily bytes = NewFamily(log_metrics::kBytesRead);
  MetricFamily last_line = NewFamily(log_metrics::kLastLineTimestamp);
  MetricFamily rotations = NewFamily(log_metrics::kRotations);
  MetricFamily truncations = NewFamily(log_metrics::kTruncations);
  MetricFamily read_errors = NewFamily(log_metrics::kReadErrors);
  MetricFamily cut = NewFamily(log_metrics::kLinesCut);
  for (const auto& [path, c] : paths_) {
    Labels labels{{"path", SanitizeUtf8(path)}};
    lines.Add(labels, double(c.lines));
    bytes.Add(labels, double(c.bytes));
    if (c.last_line_seconds > 0) last_line.Add(labels, c.last_line_seconds);
    rotations.Add(labels, double(c.rotations));
    truncations.Add(labels, double(c.truncations));
    cut.Add(labels, double(c.lines_cut));
    for (const auto& [reason, n] : c.read_errors) {
      read_errors.Add(Labels{{"path", SanitizeUtf8(path)}, {"reason", reason}}, double(n));
    }
  }
  return {std::move(events),      std::move(lines),     std::move(bytes),
          std::move(last_line),   std::move(rotations), std::move(truncations),
          std::move(read_errors), std::move(cut),       std::move(overflow),
          std::move(values)};
}

}  // namespace opswatch
