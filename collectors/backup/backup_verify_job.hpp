// Verification of one backup file, resumable: the file is read front to back in 1 MiB chunks and
// every applicable check (pg_dump, gzip, tar, sha256) is fed from the same read, so each byte is
// read once. Step() returns when the file is done or when told to stop (the run's deadline); the
// next Step() continues at the same offset, so a 100 GiB dump is verified across several runs
// instead of never. Memory is bounded: one read buffer plus each verifier's fixed state.
// Thread-safety: not thread-safe; owned by one collector.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/backup/backup_fs.hpp"
#include "core/clock.hpp"
#include "core/logger.hpp"
#include "core/status.hpp"

namespace opswatch {

// Which checks a file's name asks for. Names decide, not contents, so that a dump whose magic
// bytes were destroyed is still judged as a dump (and found invalid). A name that says nothing
// (no known extension) is sniffed: "PGDMP" at the start means pg_dump, 1f 8b gzip, "ustar" at
// byte 257 tar.
struct BackupCheckPlan {
  bool gzip = false;
  bool tar = false;      // on the raw bytes, or inside gzip when gzip is set
  bool pg_dump = false;  // on the raw bytes, or inside gzip when gzip is set
  bool sniff = false;    // decide from the first bytes
  bool sha256 = false;   // a <file>.sha256 sidecar exists
};
BackupCheckPlan PlanBackupChecks(std::string_view file_name, bool has_sidecar);

// check name ("pg_dump", "gzip", "tar", "sha256") -> valid.
using BackupVerdict = std::map<std::string, bool>;

class BackupVerifyJob {
 public:
  // Opens the file and reads its sidecar (when the plan has sha256). Fails only when the file
  // cannot be opened; a broken sidecar is an invalid sha256 check, not an error.
  static Result<std::unique_ptr<BackupVerifyJob>> Start(BackupFs& fs, const std::string& path,
                                                        const FileStat& stat, BackupCheckPlan plan);
  ~BackupVerifyJob();

  // Reads until the file is done (true) or `should_stop()` says so between chunks (false). A read
  // error is returned as an error; the job should then be dropped.
  Result<bool> Step(const std::function<bool()>& should_stop, Logger& logger);

  const std::string& path() const { return path_; }
  const FileStat& stat() const { return stat_; }
  uint64_t offset() const { return offset_; }
  // Valid after Step() returned true.
  const BackupVerdict& verdict() const { return verdict_; }
  // The first problem found, for the log ("" when every check passed).
  const std::string& problem() const { return problem_; }
  // Time spent in Step() over all runs.
  Duration busy() const { return busy_; }
  void AddBusy(Duration d) { busy_ += d; }

 private:
  struct Pipeline;
  BackupVerifyJob(std::string path, FileStat stat, std::unique_ptr<BackupFile> file);
  void Finish();

  std::string path_;
  FileStat stat_;
  std::unique_ptr<BackupFile> file_;
  BackupCheckPlan plan_;
  std::optional<std::string> expected_sha256_;  // from the sidecar
  std::string sidecar_problem_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<uint8_t[]> buffer_;
  uint64_t offset_ = 0;
  uint64_t next_progress_log_ = 0;
  Duration busy_{0};
  BackupVerdict verdict_;
  std::string problem_;
};

}  // namespace opswatch
