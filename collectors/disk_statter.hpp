// The OS seam of the disk collector: statvfs and the mount table. Stat() may block forever (a dead
// NFS mount); callers never wait on it without a deadline.
// Thread-safety: implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace opswatch {

struct DiskStats {
  uint64_t size_bytes = 0;
  uint64_t free_bytes = 0;   // including blocks reserved for root
  uint64_t avail_bytes = 0;  // available to unprivileged users
  uint64_t files = 0;
  uint64_t files_free = 0;
  bool readonly = false;
};

struct MountEntry {
  std::string mountpoint;
  std::string fstype;
  std::string device;
};

class DiskStatter {
 public:
  virtual ~DiskStatter() = default;
  virtual Result<DiskStats> Stat(const std::string& path) = 0;
  // The content of /proc/self/mountinfo.
  virtual Result<std::string> ReadMountInfo() = 0;
};

class OsDiskStatter final : public DiskStatter {
 public:
  Result<DiskStats> Stat(const std::string& path) override;
  Result<std::string> ReadMountInfo() override;
};

// Parses /proc/self/mountinfo (proc(5)); octal escapes like \040 are decoded.
std::vector<MountEntry> ParseMountInfo(const std::string& text);
// The mount that holds `path`: the longest mountpoint that is a path prefix of it (the last such
// entry wins, as later mounts shadow earlier ones). Empty entry when none matches.
MountEntry FindMount(const std::vector<MountEntry>& mounts, const std::string& path);

}  // namespace opswatch
