// A temporary directory removed with everything in it when the object dies.
#pragma once

#include <filesystem>
#include <string>

namespace opswatch::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string Join(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` to path()/name (parents created) and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

std::string ReadFileOrDie(const std::string& path);

// Notification files (*.json) in an outbox directory; 0 when it does not exist. The notification
// log beside them is not a notification.
size_t OutboxNotificationFiles(const std::filesystem::path& outbox_dir);

}  // namespace opswatch::testing
