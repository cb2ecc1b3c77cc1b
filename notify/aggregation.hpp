// What to send, and when, for one receiver: pure state machines driven by `now`.
//
// GroupAggregator follows Alertmanager's dispatch.aggrGroup + DedupStage for webhook receivers:
// alerts are grouped by `group_by`; a new group is flushed after group_wait, then every
// group_interval; a flush notifies only when a new alert fires, a resolve is to be sent, or
// repeat_interval has passed (Alertmanager's needsUpdate). Once a notification is handed to the
// outbox it counts as sent (delivery is then at-least-once), so resolved alerts leave the group.
// What each group last notified (the nflog) can be exported and restored, so a restart or a
// reload does not forget that a firing alert was notified and drop its resolve.
//
// PushTracker follows Prometheus's notifier for `alertmanager` receivers: firing alerts are
// (re)sent every resend_delay with endsAt = now + 4 * max(evaluation interval, resend_delay);
// resolved alerts are sent at once and re-sent every resend_delay for 15 minutes.
//
// Thread-safety: not thread-safe; the Dispatcher serialises access.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/alert.hpp"
#include "core/clock.hpp"
#include "notify/notification_log.hpp"
#include "notify/notify_config.hpp"
#include "notify/payload.hpp"

namespace opswatch::notify {

// Alertmanager's group labels: the alert's labels named in group_by ("..." = all of them).
Labels GroupLabels(const std::vector<std::string>& group_by, const Labels& labels);
// Alertmanager's group key for a receiver's route: "{}/{match...}:{group labels}".
std::string GroupKey(const ReceiverConfig& receiver, const Labels& group_labels);

class GroupAggregator {
 public:
  explicit GroupAggregator(const ReceiverConfig& config) : config_(config) {}

  // Adds or updates an alert already routed to this receiver.
  void Add(const Alert& alert, SystemTime now);
  // The notifications due at `now`, ready to render (sorted, truncated to max_alerts, resolved
  // alerts left out unless send_resolved). Advances group timers and dedup state.
  std::vector<WebhookMessage> Flush(SystemTime now);
  // The earliest time Flush has something to do, if any group exists.
  std::optional<SystemTime> NextFlush() const;
  size_t group_count() const { return groups_.size(); }

  // Entries from before a restart; a group created later for the same key starts from its entry.
  // Entries no group claims within kNotificationLogRetention are forgotten.
  void RestoreLog(GroupLog entries);
  // What every group last notified, plus the restored entries not yet claimed.
  GroupLog ExportLog() const;
  // True when ExportLog changed since the last call (then clears the flag).
  bool TakeLogChanged() { return std::exchange(log_changed_, false); }

 private:
  struct Group {
    Labels labels;
    std::string key;
    std::map<std::string, Alert> alerts;  // by fingerprint
    SystemTime next_flush{};
    bool has_flushed = false;
    // What the last notification contained (Alertmanager's nflog entry); none yet if empty.
    std::optional<NotificationLogEntry> notified;
  };
  bool NeedsUpdate(const Group& group, const std::set<std::string>& firing,
                   const std::set<std::string>& resolved, SystemTime now) const;

  const ReceiverConfig& config_;
  std::map<std::string, Group> groups_;  // by group key
  GroupLog restored_;                    // entries from before a restart, not yet claimed
  bool log_changed_ = false;
};

struct PushBatch {
  std::vector<Alert> alerts;
  std::vector<std::string> fingerprints;  // parallel to alerts
};

class PushTracker {
 public:
  static constexpr Duration kResolvedResendFor = std::chrono::minutes(15);

  PushTracker(Duration resend_delay, Duration evaluation_interval)
      : resend_delay_(resend_delay), evaluation_interval_(evaluation_interval) {}

  void Add(const Alert& alert, SystemTime now);
  // The alerts to push at `now` (empty when none), marking them sent.
  PushBatch Flush(SystemTime now);
  // Prometheus's ValidUntil horizon: endsAt of a firing alert pushed at `now`.
  SystemTime FiringEndsAt(SystemTime now) const;
  std::optional<SystemTime> NextFlush() const;
  size_t size() const { return alerts_.size(); }

 private:
  struct Tracked {
    Alert alert;
    SystemTime last_submitted{};
    SystemTime last_sent{};
    bool sent_since_change = false;
  };
  Duration ValidFor() const;

  Duration resend_delay_;
  Duration evaluation_interval_;
  std::map<std::string, Tracked> alerts_;  // by fingerprint
};

}  // namespace opswatch::notify
