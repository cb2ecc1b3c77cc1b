#include "collectors/backup/backup_fs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/unique_fd.hpp"

namespace opswatch {
namespace {

std::string ErrnoText(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

class OsBackupFile final : public BackupFile {
 public:
  OsBackupFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) override {
    for (;;) {
      ssize_t got = ::pread(fd_.get(), buf, n, off_t(offset));
      if (got >= 0) return size_t(got);
      if (errno != EINTR) return Result<size_t>::Error(ErrnoText("read", path_, errno));
    }
  }

 private:
  UniqueFd fd_;
  std::string path_;
};

}  // namespace

Result<std::vector<DirEntry>> OsBackupFs::ListDir(const std::string& dir) { return OsListDir(dir); }

Result<FileStat> OsBackupFs::Stat(const std::string& path) { return OsStat(path); }

Result<std::unique_ptr<BackupFile>> OsBackupFs::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Result<std::unique_ptr<BackupFile>>::Error(ErrnoText("open", path, errno));
  // Backups are read once, front to back: let the kernel read ahead generously.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<BackupFile>(std::make_unique<OsBackupFile>(fd, path));
}

Result<std::string> ReadSmallFile(BackupFs& fs, const std::string& path, size_t max_bytes) {
  auto file = fs.Open(path);
  if (!file) return file.status();
  std::string out;
  uint8_t buf[4096];
  for (;;) {
    auto got = (*file)->ReadAt(out.size(), buf, sizeof buf);
    if (!got) return got.status();
    if (*got == 0) break;
    out.append(reinterpret_cast<const char*>(buf), *got);
    if (out.size() > max_bytes) {
      return Result<std::string>::Error(path + ": larger than " + std::to_string(max_bytes) +
                                        " bytes");
    }
  }
  return out;
}

}  // namespace opswatch
