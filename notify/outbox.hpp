// The durable outbox: one file per pending notification under <state_dir>/notifications, written
// atomically (temp file, fsync, rename; then one directory fsync per batch) before the first
// attempt and removed only after a 2xx. On start the files are read back and delivered again. A
// newer notification for the same group overwrites the older file, so superseded states collapse to
// the latest one. The webhook groups' notification log (notification_log.hpp) is kept in the same
// directory as kNotificationLogFile, written in the same batch, after the notifications.
//
// File I/O sits behind OutboxFs (LevelDB's Env) so tests inject ENOSPC or a read-only directory.
// Thread-safety: Outbox is not thread-safe (the Dispatcher serialises it); PosixOutboxFs is
// stateless and safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/status.hpp"
#include "notify/notify_config.hpp"

namespace opswatch::notify {

using OutboxEntries = std::vector<std::pair<std::string, Result<std::string>>>;

class OutboxFs {
 public:
  virtual ~OutboxFs() = default;
  virtual Status EnsureDir(const std::string& dir) = 0;
  // Replaces each dir/name with its content so that a crash leaves either the old or the new
  // file, and returns once all are durable: temp files, one flush of their data (fsync for one
  // file, syncfs for a batch: one disk flush instead of one per notification), renames, and a
  // directory fsync.
  virtual Status WriteAtomic(const std::string& dir,
                             const std::vector<std::pair<std::string, std::string>>& files) = 0;
  // Not synced: a removal lost in a crash only re-sends a delivered notification (at least once).
  virtual Status Remove(const std::string& dir, const std::string& name) = 0;
  // The content of dir/name; empty when it does not exist. Refuses anything but a regular file.
  virtual Result<std::string> Read(const std::string& dir, const std::string& name) = 0;
  // Every *.json entry in `dir` as (name, content), where the content is an error for an entry
  // that cannot be read (not a regular file, such as a FIFO, or larger than kStateFileLimit);
  // leftover temp files are deleted.
  virtual Result<OutboxEntries> ReadAll(const std::string& dir) = 0;
};

std::unique_ptr<OutboxFs> MakePosixOutboxFs();

// One alert of an alertmanager push. Firing alerts get a fresh endsAt at every attempt, so a push
// retried for an hour does not arrive already expired.
struct PushItem {
  std::string fingerprint;
  bool firing = true;
  std::string alert_json;  // the postable alert; endsAt rewritten when firing
};

// A notification to one receiver, as queued and as stored.
struct Notification {
  std::string receiver;
  std::string key;  // webhook: the group key; alertmanager: "push/<seq>"
  ReceiverType type = ReceiverType::kWebhook;
  uint64_t seq = 0;  // increasing; the newest wins when states collapse
  SystemTime created{};
  std::string body;             // webhook: the JSON body
  std::vector<PushItem> items;  // alertmanager
  size_t alert_count = 0;

  // Delivery state; memory only (after a restart a pending notification is tried at once).
  int failures = 0;
  SystemTime first_attempt{};
  SystemTime next_attempt{};
  bool in_flight = false;
};

std::string EncodeNotification(const Notification& notification);
Result<Notification> DecodeNotification(const std::string& text);
// The outbox file of (receiver, key): a hash, so group keys (which hold label values) never
// become path components.
std::string OutboxFileName(const std::string& receiver, const std::string& key);

// The notification log's file name in the outbox directory (not *.json: never read as a
// notification).
inline constexpr const char* kNotificationLogFile = "notification-log.state";

class Outbox {
 public:
  // An empty `dir` keeps everything in memory only (no state_dir configured).
  Outbox(OutboxFs& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  // Put stages the file (a later Put for the same group replaces it); Sync writes everything
  // staged in one durable batch. Sync is a no-op when nothing was staged.
  void Put(const Notification& notification);
  // Stages the notification log; Sync renames it into place after the notifications, so a crash
  // never leaves a log that claims a notification whose file is missing.
  void PutLog(std::string content);
  Status Sync();
  Status Remove(const Notification& notification);
  // The stored notifications, oldest first. Unreadable files are skipped and named in `problems`.
  Result<std::vector<Notification>> Load(std::vector<std::string>& problems);
  // The stored notification log's content; empty when there is none.
  Result<std::string> LoadLog();
  bool has_staged() const { return !staged_.empty() || staged_log_.has_value(); }

 private:
  OutboxFs& fs_;
  std::string dir_;
  bool dir_ready_ = false;
  std::map<std::string, std::string> staged_;  // file name -> content
  std::optional<std::string> staged_log_;
};

}  // namespace opswatch::notify
