// What a log collector saves in state_dir after every run and reads back at start: the followed
// files' positions together with every counter, written as one file atomically. Positions and
// counts always describe the same instant, so after a crash the lines read since the last save
// are read again and counted again from counts that did not include them: each line is counted
// once (README, "type: log", "Restarts").
// Thread-safety: value types and pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "collectors/log/log_events.hpp"
#include "collectors/log/log_file_set.hpp"
#include "core/status.hpp"

namespace opswatch {

struct LogPathCounters {
  uint64_t lines = 0;
  uint64_t bytes = 0;
  uint64_t rotations = 0;
  uint64_t truncations = 0;
  uint64_t lines_cut = 0;
  std::map<std::string, uint64_t> read_errors;  // by reason
  double last_line_seconds = 0;                 // 0: unknown
};

struct LogSavedEvent {
  std::string name;
  std::vector<std::string> labels;
  LogEventCounts counts;
};

struct LogState {
  std::vector<LogFilePosition> positions;
  std::map<std::string, LogPathCounters> paths;
  std::vector<LogSavedEvent> events;
};

std::string SerializeLogState(const LogState& state);
Result<LogState> ParseLogState(const std::string& text);

// state_dir/log/<collector>.json, the collector name escaped so it is one file name.
std::string LogStatePath(const std::string& state_dir, const std::string& collector);

}  // namespace opswatch
