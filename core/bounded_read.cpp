#include "core/bounded_read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/unique_fd.hpp"
#include "core/units.hpp"

namespace opswatch {
namespace {

std::string NotRegularReason(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  const char* kind = S_ISFIFO(mode)   ? "FIFO"
                     : S_ISCHR(mode)  ? "character device"
                     : S_ISBLK(mode)  ? "block device"
                     : S_ISSOCK(mode) ? "socket"
                                      : "special file";
  return std::string("is not a regular file (") + kind + ")";
}

}  // namespace

Result<std::string> ReadBoundedFile(const std::string& path, size_t max_bytes) {
  using Out = Result<std::string>;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return Out::Error(std::strerror(errno));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Out::Error(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Out::Error(NotRegularReason(st.st_mode));
  const std::string too_large = "is larger than " + FormatSize(max_bytes);
  if (st.st_size < 0 || static_cast<uint64_t>(st.st_size) > max_bytes) return Out::Error(too_large);
  std::string content;
  content.resize(static_cast<size_t>(st.st_size) + 1);  // one more byte shows a file that grew
  size_t used = 0;
  for (;;) {
    if (used == content.size()) {
      if (used > max_bytes) return Out::Error(too_large);
      content.resize(std::min(max_bytes + 1, std::max<size_t>(used * 2, 4096)));
    }
    ssize_t n = ::read(fd.get(), content.data() + used, content.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Out::Error(std::strerror(errno));
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > max_bytes) return Out::Error(too_large);
  content.resize(used);
  return content;
}

}  // namespace opswatch
