// The OS seam of the backup collector: the directory walk (collectors/file_tree.hpp) and reading
// a file at an offset.
// Tests inject a fake to script ENOENT, EACCES, files that grow between two looks and slow reads;
// OsBackupFs is the real thing (readdir/fstatat/pread, no std::filesystem exceptions).
// Thread-safety: OsBackupFs is stateless and thread-safe; BackupFile is not (one reader at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collectors/file_tree.hpp"
#include "core/clock.hpp"
#include "core/status.hpp"

namespace opswatch {

class BackupFile {
 public:
  virtual ~BackupFile() = default;
  // Reads up to `n` bytes at `offset`; 0 means end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) = 0;
};

// The directory walk plus reading files at an offset.
class BackupFs : public FileTreeFs {
 public:
  virtual Result<std::unique_ptr<BackupFile>> Open(const std::string& path) = 0;
};

class OsBackupFs final : public BackupFs {
 public:
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override;
  Result<FileStat> Stat(const std::string& path) override;
  Result<std::unique_ptr<BackupFile>> Open(const std::string& path) override;
};

// Reads a small file whole (a sha256 sidecar); fails when it is larger than `max_bytes`.
Result<std::string> ReadSmallFile(BackupFs& fs, const std::string& path, size_t max_bytes);

}  // namespace opswatch
