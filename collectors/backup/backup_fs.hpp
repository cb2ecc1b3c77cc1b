// The OS seam of the backup collector: list a directory, stat a file, read a file at an offset.
// Tests inject a fake to script ENOENT, EACCES, files that grow between two looks and slow reads;
// OsBackupFs is the real thing (readdir/fstatat/pread, no std::filesystem exceptions).
// Thread-safety: OsBackupFs is stateless and thread-safe; BackupFile is not (one reader at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/status.hpp"

namespace opswatch {

struct BackupDirEntry {
  enum class Kind { kFile, kDir, kOther };
  std::string name;
  Kind kind = Kind::kOther;  // symlinks are resolved: a link to a file is a file; to a dir, kOther
};

struct BackupFileStat {
  uint64_t size = 0;
  SystemTime mtime;
  bool regular = false;
};

class BackupFile {
 public:
  virtual ~BackupFile() = default;
  // Reads up to `n` bytes at `offset`; 0 means end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) = 0;
};

class BackupFs {
 public:
  virtual ~BackupFs() = default;
  // The entries of `dir` without "." and "..", in no particular order. Does not stat regular
  // files (d_type tells them apart), so listing stays as cheap as find(1)'s.
  virtual Result<std::vector<BackupDirEntry>> ListDir(const std::string& dir) = 0;
  virtual Result<BackupFileStat> Stat(const std::string& path) = 0;
  virtual Result<std::unique_ptr<BackupFile>> Open(const std::string& path) = 0;
};

class OsBackupFs final : public BackupFs {
 public:
  Result<std::vector<BackupDirEntry>> ListDir(const std::string& dir) override;
  Result<BackupFileStat> Stat(const std::string& path) override;
  Result<std::unique_ptr<BackupFile>> Open(const std::string& path) override;
};

// Reads a small file whole (a sha256 sidecar); fails when it is larger than `max_bytes`.
Result<std::string> ReadSmallFile(BackupFs& fs, const std::string& path, size_t max_bytes);

}  // namespace opswatch
