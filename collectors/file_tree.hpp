// The narrow seam for walking a directory tree: list a directory, stat a path. Shared by the
// collectors that find files with a glob (backup sets, log files); tests inject a fake to script
// ENOENT, EACCES and files that change between two looks. OsFileTreeFs is the real thing
// (readdir/fstatat/stat, no std::filesystem exceptions).
// Thread-safety: OsFileTreeFs is stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/status.hpp"

namespace opswatch {

struct DirEntry {
  enum class Kind { kFile, kDir, kOther };
  std::string name;
  Kind kind = Kind::kOther;  // symlinks are resolved: a link to a file is a file; to a dir, kOther
};

struct FileStat {
  uint64_t size = 0;
  SystemTime mtime;
  bool regular = false;
};

class FileTreeFs {
 public:
  virtual ~FileTreeFs() = default;
  // The entries of `dir` without "." and "..", in no particular order. Does not stat regular
  // files (d_type tells them apart), so listing stays as cheap as find(1)'s.
  virtual Result<std::vector<DirEntry>> ListDir(const std::string& dir) = 0;
  virtual Result<FileStat> Stat(const std::string& path) = 0;
};

// The real directory walk; the free functions let other OS seams (BackupFs) reuse it.
Result<std::vector<DirEntry>> OsListDir(const std::string& dir);
Result<FileStat> OsStat(const std::string& path);

class OsFileTreeFs final : public FileTreeFs {
 public:
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override { return OsListDir(dir); }
  Result<FileStat> Stat(const std::string& path) override { return OsStat(path); }
};

}  // namespace opswatch
