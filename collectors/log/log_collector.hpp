// log: counts lines and configured events in log files matched by globs, following rotation and
// truncation, and keeps its read positions and counters in state_dir so a restart neither loses
// nor double-counts lines (README, "type: log").
//
// Each run lists the globs, lets the file set reconcile and read (at most read_limit bytes, then
// the rest next run), feeds every complete line through the UTF-8 check, the JSON parse (format
// json) and the events, saves the state atomically and publishes the counters of the paths it
// follows. A path that is no longer followed loses its series.
// Thread-safety: Collect() is not called concurrently for one instance (scheduler guarantee); no
// other method touches the state.
#pragma once

#include <map>
#include <string>

#include "collectors/collector.hpp"
#include "collectors/log/log_config.hpp"
#include "collectors/log/log_events.hpp"
#include "collectors/log/log_file_set.hpp"
#include "collectors/log/log_state.hpp"

namespace opswatch {

class LogCollector final : public Collector, private LogReadObserver {
 public:
  LogCollector(LogConfig config, Clock& clock, Logger& logger);
  LogCollector(const LogCollector&) = delete;
  LogCollector& operator=(const LogCollector&) = delete;
  CollectResult Collect(const RunContext& ctx) override;

 private:
  void OnFirstSight(const std::string& path, double mtime_seconds) override;
  void OnLine(const std::string& path, const LogLine& line) override;
  void OnBytes(const std::string& path, uint64_t bytes) override;
  void OnRotation(const std::string& path) override;
  void OnTruncation(const std::string& path) override;
  void OnReadError(const std::string& path, const std::string& reason) override;

  // The regular files the globs match now, sorted; problems go to `errors`.
  std::vector<std::string> ListFiles(std::string& errors);
  void LoadState();
  Status SaveState();
  std::vector<MetricFamily> Families() const;
  // The line's fields in the configured format (json or logfmt); nullopt when it is not valid.
  std::optional<nlohmann::json> ParseFields(std::string_view text) const;

  const LogConfig config_;
  Clock& clock_;
  Logger& logger_;
  LogFileSet files_;
  LogEventCounter events_;  // reads config_.events
  std::map<std::string, LogPathCounters> paths_;
  bool loaded_ = false;
  double now_seconds_ = 0;  // the current run's time, for last_line
};

}  // namespace opswatch
