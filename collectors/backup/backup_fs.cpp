#include "collectors/backup/backup_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/unique_fd.hpp"

namespace opswatch {
namespace {

std::string ErrnoText(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

BackupFileStat FromStat(const struct stat& st) {
  BackupFileStat out;
  out.size = uint64_t(st.st_size);
  out.mtime = SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
  out.regular = S_ISREG(st.st_mode);
  return out;
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

Result<std::vector<BackupDirEntry>> OsBackupFs::ListDir(const std::string& dir) {
  std::unique_ptr<DIR, DirCloser> handle(::opendir(dir.c_str()));
  if (!handle) return Result<std::vector<BackupDirEntry>>::Error(ErrnoText("open", dir, errno));
  std::vector<BackupDirEntry> entries;
  const int dir_fd = ::dirfd(handle.get());
  for (;;) {
    errno = 0;
    struct dirent* ent = ::readdir(handle.get());
    if (ent == nullptr) {
      if (errno != 0) {
        return Result<std::vector<BackupDirEntry>>::Error(ErrnoText("read", dir, errno));
      }
      break;
    }
    const char* name = ent->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    BackupDirEntry entry;
    entry.name = name;
    unsigned char type = ent->d_type;
    if (type == DT_UNKNOWN || type == DT_LNK) {
      // Follow links to files (a "latest.dump" link is common) but never descend through a link
      // to a directory: that is how recursive walks loop forever.
      struct stat st;
      if (::fstatat(dir_fd, name, &st, 0) != 0) continue;  // dangling link: not a backup
      bool is_link = type == DT_LNK;
      if (S_ISREG(st.st_mode)) {
        entry.kind = BackupDirEntry::Kind::kFile;
      } else if (S_ISDIR(st.st_mode) && !is_link) {
        entry.kind = BackupDirEntry::Kind::kDir;
      }
    } else if (type == DT_REG) {
      entry.kind = BackupDirEntry::Kind::kFile;
    } else if (type == DT_DIR) {
      entry.kind = BackupDirEntry::Kind::kDir;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<BackupFileStat> OsBackupFs::Stat(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Result<BackupFileStat>::Error(ErrnoText("stat", path, errno));
  }
  return FromStat(st);
}

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
