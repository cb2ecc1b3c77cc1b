#include "collectors/log/log_file_identity.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace opswatch {
namespace {

LogFileInfo FromStat(const struct stat& st) {
  return LogFileInfo{uint64_t(st.st_dev), uint64_t(st.st_ino), uint64_t(st.st_size),
                     double(st.st_mtim.tv_sec) + double(st.st_mtim.tv_nsec) / 1e9};
}

}  // namespace

Result<LogFileInfo> StatLogFd(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Result<LogFileInfo>::Error(std::strerror(errno));
  return FromStat(st);
}

Result<LogFileInfo> StatLogPath(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Result<LogFileInfo>::Error(std::strerror(errno));
  return FromStat(st);
}

Result<uint64_t> HashLogPrefix(int fd, uint64_t len) {
  char buf[kLogFingerprintBytes];
  len = std::min(len, kLogFingerprintBytes);
  uint64_t have = 0;
  while (have < len) {
    ssize_t got = ::pread(fd, buf + have, size_t(len - have), off_t(have));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Result<uint64_t>::Error(std::strerror(errno));
    if (got == 0) return Result<uint64_t>::Error("shorter than its fingerprint");
    have += uint64_t(got);
  }
  uint64_t hash = 14695981039346656037ull;
  for (uint64_t i = 0; i < len; ++i) {
    hash ^= uint8_t(buf[i]);
    hash *= 1099511628211ull;
  }
  return hash;
}

Result<LogFileIdentity> IdentifyLogFile(int fd) {
  auto info = StatLogFd(fd);
  if (!info) return info.status();
  LogFileIdentity id{info->dev, info->ino, std::min(info->size, kLogFingerprintBytes), 0};
  auto hash = HashLogPrefix(fd, id.fingerprint_len);
  if (!hash) return hash.status();
  id.fingerprint_hash = *hash;
  return id;
}

bool LogFileStartsAsBefore(int fd, const LogFileIdentity& known) {
  auto hash = HashLogPrefix(fd, known.fingerprint_len);
  return hash && *hash == known.fingerprint_hash;
}

}  // namespace opswatch
