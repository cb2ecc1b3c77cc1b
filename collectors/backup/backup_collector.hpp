// backup: freshness, retention and integrity of a set of backup files (pg_dump dumps, tarballs,
// log archives) matched by a glob under one directory.
//
// Each run lists the set (readdir + stat of matching names only; contents are never read for the
// summary), publishes count, bytes, newest/oldest timestamps, the newest file's age and size and
// the previous file's size, then spends what is left of the run's deadline verifying files that
// have not been verified yet (the newest only, or all, per `verify`). Verified files are
// remembered by (path, size, mtime) and not read again until one of those changes; a file whose
// verification does not finish before the deadline is continued on the next run.
//
// A file is "settled" when its mtime is at least kSettleTime old by the clock and its size did not
// change since the previous run looked at it (a file whose mtime is in the future, a skewed NFS
// server's clock, is judged by the size look alone); unsettled files (a dump still being written)
// count in files/total_bytes but are neither newest/previous nor verified, so a half-written dump
// is never reported as shrunk or corrupt. Thread-safety: Collect() is not called concurrently for
// one instance (scheduler guarantee); no other method touches the state.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "collectors/backup/backup_config.hpp"
#include "collectors/backup/backup_fs.hpp"
#include "collectors/backup/backup_verify_job.hpp"
#include "collectors/collector.hpp"
#include "collectors/path_glob.hpp"

namespace opswatch {

class BackupCollector final : public Collector {
 public:
  // Files written within this long before now are still being written.
  static constexpr std::chrono::seconds kSettleTime{5};

  BackupCollector(BackupConfig config, PathGlob glob, std::unique_ptr<BackupFs> fs, Clock& clock,
                  Logger& logger);
  ~BackupCollector() override;
  CollectResult Collect(const RunContext& ctx) override;

 private:
  struct Verified {
    uint64_t size = 0;
    SystemTime mtime;
    std::optional<FileStat> sidecar;  // the <file>.sha256 it was checked against
    BackupVerdict verdict;
    Duration busy{0};
  };

  // Verifies `file` within the budget; returns the verdict when known (cached or just finished).
  const Verified* Verify(const GlobMatch& file, const std::function<bool()>& should_stop,
                         std::string& errors);

  BackupConfig config_;
  PathGlob glob_;
  std::unique_ptr<BackupFs> fs_;
  Clock& clock_;
  Logger& logger_;
  std::map<std::string, Verified> verified_;         // by path; pruned to the current listing
  std::unique_ptr<BackupVerifyJob> job_;             // an unfinished verification, if any
  std::map<std::string, uint64_t> last_look_sizes_;  // recent files' sizes at the previous run
};

}  // namespace opswatch
