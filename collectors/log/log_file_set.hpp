// The files a log collector follows, one per path, and what happens to them between two runs:
//
// - a path seen for the first time: resumed from its saved position when the file is the same
//   (device, inode and first bytes); else read from the start, except at the collector's first
//   run without a saved position, where it starts at the end unless from_beginning is set; a
//   file finished and dropped that shows up again at its path is resumed the same way;
// - another file at a followed path (rename + create rotation): the old file is finished through
//   its open descriptor, the unterminated last line included, then the new file is read from 0;
// - a followed file that moved to another matched path (app.log -> app.log.1 with app.log*) is
//   followed there without re-reading;
// - a file that shrank below the read offset, or whose first bytes changed (copytruncate): read
//   again from 0, counted as a truncation;
// - a path that no longer matches (deleted, renamed away): its file is finished, then dropped.
//
// Every run reads at most `budget` bytes: files being finished first, then the followed files
// starting with a different one each run, so a backlog in one file cannot starve the others.
// Thread-safety: not thread-safe; the collector calls it from its (serialised) runs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "collectors/log/log_file_identity.hpp"
#include "collectors/log/log_line_reader.hpp"
#include "core/unique_fd.hpp"

namespace opswatch {

// What reading reports, per path.
class LogReadObserver {
 public:
  virtual ~LogReadObserver() = default;
  virtual void OnFirstSight(const std::string& path, double mtime_seconds) = 0;
  virtual void OnLine(const std::string& path, const LogLine& line) = 0;
  virtual void OnBytes(const std::string& path, uint64_t bytes) = 0;
  virtual void OnRotation(const std::string& path) = 0;
  virtual void OnTruncation(const std::string& path) = 0;
  virtual void OnReadError(const std::string& path, const std::string& reason) = 0;
};

struct LogFilePosition {
  std::string path;
  LogFileIdentity id;
  LogCursor cursor;
};

class LogFileSet {
 public:
  LogFileSet(size_t max_line_bytes, bool from_beginning);
  LogFileSet(const LogFileSet&) = delete;
  LogFileSet& operator=(const LogFileSet&) = delete;

  // Saved positions, consulted when a path is first seen in the next run.
  void Restore(std::vector<LogFilePosition> positions);

  // One run over `paths` (the regular files the globs match now, sorted).
  void Run(const std::vector<std::string>& paths, uint64_t budget,
           const std::function<bool()>& past_deadline, LogReadObserver& observer);

  // The followed files' positions (files being finished have none: they cannot be reopened).
  std::vector<LogFilePosition> Positions() const;
  // Paths with a followed file or one being finished: the paths whose series are published.
  std::vector<std::string> Paths() const;

 private:
  struct Tail {
    std::string path;
    UniqueFd fd;
    LogFileIdentity id;
    LogCursor cursor;
  };

  void CheckFollowed(const std::map<std::string, LogFileInfo>& infos, LogReadObserver& observer);
  void FollowRenamed(const std::map<std::string, LogFileInfo>& infos);
  void OpenNew(const std::map<std::string, LogFileInfo>& infos, bool first_run,
               LogReadObserver& observer);
  void Forget(const Tail& tail);
  // Reads `tail` until its end, the budget or the deadline; true when it reached the end.
  bool Read(Tail& tail, bool finished, uint64_t& budget, const std::function<bool()>& past_deadline,
            LogReadObserver& observer);

  size_t max_line_bytes_;
  bool from_beginning_;
  bool first_run_ = true;
  size_t next_start_ = 0;
  std::map<std::string, Tail> tails_;  // by path
  std::vector<Tail> finishing_;        // replaced or removed files, read to their end
  // Saved positions not yet matched to a file: from the state file, and of files finished since.
  std::map<std::string, LogFilePosition> restored_;
};

}  // namespace opswatch
