// Which file a path names: device and inode, plus a hash of its first bytes, because an inode
// number is reused as soon as a file is deleted (logrotate's delete + create often gets the same
// one) and copytruncate keeps the inode while replacing the content.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.hpp"

namespace opswatch {

// The fingerprint covers at most this many leading bytes; it grows with the file up to it.
inline constexpr uint64_t kLogFingerprintBytes = 256;

struct LogFileIdentity {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t fingerprint_len = 0;   // bytes covered (less when the file was shorter)
  uint64_t fingerprint_hash = 0;  // FNV-1a of those bytes
};

struct LogFileInfo {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t size = 0;
  double mtime_seconds = 0;
};

Result<LogFileInfo> StatLogFd(int fd);
Result<LogFileInfo> StatLogPath(const std::string& path);

// Hash of the first `len` bytes of the file; an error when it is shorter or unreadable.
Result<uint64_t> HashLogPrefix(int fd, uint64_t len);

// The identity of the open file now: its fingerprint covers min(size, kLogFingerprintBytes).
Result<LogFileIdentity> IdentifyLogFile(int fd);

// Whether the open file still starts with the bytes `known` was taken from (same dev/ino assumed
// by the caller). False when the file shrank below the fingerprint or its first bytes changed.
bool LogFileStartsAsBefore(int fd, const LogFileIdentity& known);

}  // namespace opswatch
