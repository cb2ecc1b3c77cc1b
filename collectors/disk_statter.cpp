#include "collectors/disk_statter.hpp"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/bounded_read.hpp"

namespace opswatch {

Result<DiskStats> OsDiskStatter::Stat(const std::string& path) {
  struct statvfs st {};
  if (statvfs(path.c_str(), &st) != 0) {
    return Result<DiskStats>::Error("statvfs " + path + ": " + std::strerror(errno));
  }
  DiskStats stats;
  const uint64_t fragment = st.f_frsize ? st.f_frsize : st.f_bsize;
  stats.size_bytes = uint64_t(st.f_blocks) * fragment;
  stats.free_bytes = uint64_t(st.f_bfree) * fragment;
  stats.avail_bytes = uint64_t(st.f_bavail) * fragment;
  stats.files = st.f_files;
  stats.files_free = st.f_ffree;
  stats.readonly = (st.f_flag & ST_RDONLY) != 0;
  return stats;
}

Result<std::string> OsDiskStatter::ReadMountInfo() {
  constexpr size_t kMountInfoLimit = size_t{16} << 20;  // thousands of mounts on a busy node
  auto text = ReadBoundedFile("/proc/self/mountinfo", kMountInfoLimit);
  if (!text) return Result<std::string>::Error("cannot read /proc/self/mountinfo: " + text.error());
  return text;
}

namespace {

std::string DecodeOctalEscapes(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    auto octal = [&](size_t j) { return field[j] >= '0' && field[j] <= '7'; };
    if (field[i] == '\\' && i + 3 < field.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      int value = (field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0');
      out += static_cast<char>(value);
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

bool IsPathPrefix(const std::string& prefix, const std::string& path) {
  if (prefix == "/") return !path.empty() && path[0] == '/';
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

std::vector<MountEntry> ParseMountInfo(const std::string& text) {
  // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
  std::vector<MountEntry> mounts;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::vector<std::string> parts;
    std::string part;
    while (fields >> part) parts.push_back(part);
    size_t separator = 0;
    for (size_t i = 6; i < parts.size(); ++i) {
      if (parts[i] == "-") {
        separator = i;
        break;
      }
    }
    if (parts.size() < 7 || separator == 0 || separator + 2 >= parts.size()) continue;
    mounts.push_back(MountEntry{DecodeOctalEscapes(parts[4]), parts[separator + 1],
                                DecodeOctalEscapes(parts[separator + 2])});
  }
  return mounts;
}

MountEntry FindMount(const std::vector<MountEntry>& mounts, const std::string& path) {
  const MountEntry* best = nullptr;
  for (const auto& mount : mounts) {
    if (!IsPathPrefix(mount.mountpoint, path)) continue;
    if (!best || mount.mountpoint.size() >= best->mountpoint.size()) best = &mount;
  }
  return best ? *best : MountEntry{};
}

}  // namespace opswatch
