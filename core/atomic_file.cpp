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

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view data, Durability durability) {
  const std::string tmp = path + ".tmp";
  {
    // A fresh regular file: a leftover temp that is a FIFO would block the open, a symlink would
    // send the data elsewhere.
    ::unlink(tmp.c_str());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return Errno("cannot create", tmp);
    size_t written = 0;
    while (written < data.size()) {
      ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        Status error = Errno("cannot write", tmp);
        ::unlink(tmp.c_str());
        return error;
      }
      written += static_cast<size_t>(n);
    }
    if (durability == Durability::kDurable && ::fsync(fd.get()) != 0) {
      Status error = Errno("cannot fsync", tmp);
      ::unlink(tmp.c_str());
      return error;
    }
    if (::close(fd.Release()) != 0) return Errno("cannot close", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status error = Errno("cannot rename to", path);
    ::unlink(tmp.c_str());
    return error;
  }
  if (durability == Durability::kDurable) {
    // The rename is durable only once the directory entry is.
    const std::string dir = std::filesystem::path(path).parent_path().string();
    UniqueFd dir_fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) return Errno("cannot fsync", dir);
  }
  return Status::Ok();
}

}  // namespace opswatch
