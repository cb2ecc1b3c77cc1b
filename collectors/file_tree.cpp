#include "collectors/file_tree.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace opswatch {
namespace {

std::string ErrnoText(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

FileStat FromStat(const struct stat& st) {
  FileStat out;
  out.size = uint64_t(st.st_size);
  out.mtime = SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
  out.regular = S_ISREG(st.st_mode);
  return out;
}

}  // namespace

Result<std::vector<DirEntry>> OsListDir(const std::string& dir) {
  std::unique_ptr<DIR, DirCloser> handle(::opendir(dir.c_str()));
  if (!handle) return Result<std::vector<DirEntry>>::Error(ErrnoText("open", dir, errno));
  std::vector<DirEntry> entries;
  const int dir_fd = ::dirfd(handle.get());
  for (;;) {
    errno = 0;
    struct dirent* ent = ::readdir(handle.get());
    if (ent == nullptr) {
      if (errno != 0) {
        return Result<std::vector<DirEntry>>::Error(ErrnoText("read", dir, errno));
      }
      break;
    }
    const char* name = ent->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    DirEntry entry;
    entry.name = name;
    unsigned char type = ent->d_type;
    if (type == DT_UNKNOWN || type == DT_LNK) {
      // Follow links to files (a "latest.dump" link is common) but never descend through a link
      // to a directory: that is how recursive walks loop forever.
      struct stat st;
      if (::fstatat(dir_fd, name, &st, 0) != 0) continue;  // dangling link: not a backup
      bool is_link = type == DT_LNK;
      if (S_ISREG(st.st_mode)) {
        entry.kind = DirEntry::Kind::kFile;
      } else if (S_ISDIR(st.st_mode) && !is_link) {
        entry.kind = DirEntry::Kind::kDir;
      }
    } else if (type == DT_REG) {
      entry.kind = DirEntry::Kind::kFile;
    } else if (type == DT_DIR) {
      entry.kind = DirEntry::Kind::kDir;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<FileStat> OsStat(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Result<FileStat>::Error(ErrnoText("stat", path, errno));
  }
  return FromStat(st);
}

}  // namespace opswatch
