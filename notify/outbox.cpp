#include "notify/outbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/bounded_read.hpp"
#include "core/json_dump.hpp"
#include "core/unique_fd.hpp"

namespace opswatch::notify {
namespace {

Status Errno(const std::string& what) { return Status::Error(what + ": " + std::strerror(errno)); }

class PosixOutboxFs final : public OutboxFs {
 public:
  Status EnsureDir(const std::string& dir) override {
    // Create each missing component (mkdir -p); an existing directory is fine.
    for (size_t pos = 1; pos <= dir.size(); ++pos) {
      if (pos != dir.size() && dir[pos] != '/') continue;
      std::string prefix = dir.substr(0, pos);
      if (::mkdir(prefix.c_str(), 0750) != 0 && errno != EEXIST) {
        return Errno("cannot create " + prefix);
      }
    }
    if (::access(dir.c_str(), W_OK) != 0) return Errno("cannot write to " + dir);
    return Status::Ok();
  }

  Status WriteAtomic(const std::string& dir,
                     const std::vector<std::pair<std::string, std::string>>& files) override {
    return WriteFilesAtomically(dir, files, Durability::kDurable, 0640);
  }

  Status Remove(const std::string& dir, const std::string& name) override {
    std::string path = dir + "/" + name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("cannot remove " + path);
    return Status::Ok();
  }

  Result<std::string> Read(const std::string& dir, const std::string& name) override {
    std::string path = dir + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) return std::string();
    auto content = ReadBoundedFile(path, kStateFileLimit);
    if (!content) return Status::Error(path + ": " + content.error());
    return content;
  }

  Result<OutboxEntries> ReadAll(const std::string& dir) override {
    std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), &::closedir);
    if (!handle) {
      if (errno == ENOENT) return OutboxEntries{};
      return Errno("cannot list " + dir);
    }
    OutboxEntries out;
    while (dirent* entry = ::readdir(handle.get())) {
      std::string name = entry->d_name;
      auto ends_with = [&name](const std::string& suffix) {
        return name.size() > suffix.size() &&
               name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
      };
      if (ends_with(".tmp")) {
        ::unlink((dir + "/" + name).c_str());  // a write that never completed
        continue;
      }
      if (!ends_with(".json")) continue;
      // Bounded and non-blocking: a FIFO or a link to /dev/zero here must not stop start-up.
      out.emplace_back(name, ReadBoundedFile(dir + "/" + name, kStateFileLimit));
    }
    return out;
  }
};

int64_t ToNanos(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
SystemTime FromNanos(int64_t n) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(n)));
}

}  // namespace

std::unique_ptr<OutboxFs> MakePosixOutboxFs() { return std::make_unique<PosixOutboxFs>(); }

std::string EncodeNotification(const Notification& n) {
  nlohmann::json items = nlohmann::json::array();
  for (const PushItem& item : n.items) {
    items.push_back({{"fingerprint", item.fingerprint},
                     {"firing", item.firing},
                     {"alert", nlohmann::json::parse(item.alert_json)}});
  }
  nlohmann::json doc = {
      {"format", 1},
      {"receiver", n.receiver},
      {"key", n.key},
      {"type", n.type == ReceiverType::kWebhook ? "webhook" : "alertmanager"},
      {"seq", n.seq},
      {"created_ns", ToNanos(n.created)},
      {"alert_count", n.alert_count},
      {"body", n.body},
      {"items", items},
  };
  return DumpJson(doc);
}

Result<Notification> DecodeNotification(const std::string& text) {
  try {
    nlohmann::json doc = nlohmann::json::parse(text);
    if (doc.at("format").get<int>() != 1) return Result<Notification>::Error("unknown format");
    Notification n;
    n.receiver = doc.at("receiver").get<std::string>();
    n.key = doc.at("key").get<std::string>();
    n.type = doc.at("type").get<std::string>() == "webhook" ? ReceiverType::kWebhook
                                                            : ReceiverType::kAlertmanager;
    n.seq = doc.at("seq").get<uint64_t>();
    n.created = FromNanos(doc.at("created_ns").get<int64_t>());
    n.alert_count = doc.at("alert_count").get<size_t>();
    n.body = doc.at("body").get<std::string>();
    for (const auto& item : doc.at("items")) {
      n.items.push_back(PushItem{item.at("fingerprint").get<std::string>(),
                                 item.at("firing").get<bool>(), DumpJson(item.at("alert"))});
    }
    return n;
  } catch (const std::exception& e) {
    return Result<Notification>::Error(std::string("malformed outbox file: ") + e.what());
  }
}

std::string OutboxFileName(const std::string& receiver, const std::string& key) {
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a: stable across builds and restarts
  for (unsigned char c : receiver + '\0' + key) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016" PRIx64, hash);
  return receiver + "-" + buffer + ".json";
}

void Outbox::Put(const Notification& notification) {
  if (dir_.empty()) return;
  staged_[OutboxFileName(notification.receiver, notification.key)] =
      EncodeNotification(notification);
}

void Outbox::PutLog(std::string content) {
  if (dir_.empty()) return;
  staged_log_ = std::move(content);
}

Status Outbox::Sync() {
  if (!has_staged()) return Status::Ok();
  std::vector<std::pair<std::string, std::string>> files(staged_.begin(), staged_.end());
  if (staged_log_) files.emplace_back(kNotificationLogFile, std::move(*staged_log_));
  staged_.clear();
  staged_log_.reset();
  if (!dir_ready_) {
    Status status = fs_.EnsureDir(dir_);
    if (!status.ok()) return status;
    dir_ready_ = true;
  }
  return fs_.WriteAtomic(dir_, files);
}

Status Outbox::Remove(const Notification& notification) {
  if (dir_.empty()) return Status::Ok();
  std::string name = OutboxFileName(notification.receiver, notification.key);
  staged_.erase(name);
  return fs_.Remove(dir_, name);
}

Result<std::string> Outbox::LoadLog() {
  if (dir_.empty()) return std::string();
  return fs_.Read(dir_, kNotificationLogFile);
}

Result<std::vector<Notification>> Outbox::Load(std::vector<std::string>& problems) {
  std::vector<Notification> out;
  if (dir_.empty()) return out;
  auto files = fs_.ReadAll(dir_);
  if (!files) return files.status();
  for (const auto& [name, content] : *files) {
    if (name == kNotificationLogFile) continue;
    if (!content) {
      problems.push_back(name + ": " + content.error());
      continue;
    }
    auto decoded = DecodeNotification(*content);
    if (!decoded) {
      problems.push_back(name + ": " + decoded.error());
      continue;
    }
    out.push_back(std::move(decoded).value());
  }
  std::sort(out.begin(), out.end(),
            [](const Notification& a, const Notification& b) { return a.seq < b.seq; });
  return out;
}

}  // namespace opswatch::notify
