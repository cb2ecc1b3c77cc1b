#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/unique_fd.hpp"

namespace opswatch {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::Error(what + " " + path + ": " + std::strerror(errno));
}

// Writes `data` to a fresh temp file; the fd stays open for the flush.
Status WriteTemp(const std::string& temp, std::string_view data, mode_t mode, UniqueFd& fd) {
  // A fresh regular file: a leftover temp that is a FIFO would block the open, a symlink would
  // send the data elsewhere.
  ::unlink(temp.c_str());
  fd = UniqueFd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return Errno("cannot create", temp);
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", temp);
    }
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Status WriteFilesAtomically(const std::string& dir, const std::vector<NamedContent>& files,
                            Durability durability, mode_t mode) {
  if (files.empty()) return Status::Ok();
  const std::string prefix = dir.empty() ? "" : dir + "/";
  std::vector<std::string> temps;
  auto fail = [&temps](Status error) {
    for (const std::string& temp : temps) ::unlink(temp.c_str());
    return error;
  };
  std::vector<UniqueFd> open_files(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    temps.push_back(prefix + files[i].first + ".tmp");
    if (Status s = WriteTemp(temps.back(), files[i].second, mode, open_files[i]); !s.ok()) {
      return fail(s);
    }
  }
  if (durability == Durability::kDurable) {
    // One fsync for a single file; syncfs flushes the whole batch at the cost of one.
    int last_fd = open_files.back().get();
    if ((files.size() == 1 ? ::fsync(last_fd) : ::syncfs(last_fd)) != 0) {
      return fail(Errno("cannot flush", temps.back()));
    }
  }
  for (size_t i = 0; i < files.size(); ++i) {
    if (::close(open_files[i].Release()) != 0) return fail(Errno("cannot close", temps[i]));
  }
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string path = prefix + files[i].first;
    if (::rename(temps[i].c_str(), path.c_str()) != 0) return fail(Errno("cannot rename to", path));
  }
  if (durability == Durability::kDurable) {
    // The renames are durable only once the directory entries are.
    UniqueFd dir_fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) return Errno("cannot fsync", dir);
  }
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view data, Durability durability,
                           mode_t mode) {
  const std::filesystem::path p(path);
  return WriteFilesAtomically(p.parent_path().string(),
                              {{p.filename().string(), std::string(data)}}, durability, mode);
}

}  // namespace opswatch
