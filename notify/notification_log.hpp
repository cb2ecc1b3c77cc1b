// What each webhook group last notified (Alertmanager's nflog), kept durable in the outbox
// directory so that a restart or a reload does not forget it.
//
// Why it must survive: a group that has never notified sends nothing for an alert that only
// resolves (Alertmanager's needsUpdate). Without this log, an alert notified as firing before a
// restart and resolved after it would never have its resolve sent.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/clock.hpp"
#include "core/status.hpp"

namespace opswatch::notify {

struct NotificationLogEntry {
  std::set<std::string> firing;    // alert fingerprints notified as firing
  std::set<std::string> resolved;  // alert fingerprints notified as resolved
  SystemTime notified_at{};

  bool operator==(const NotificationLogEntry&) const = default;
};

// Group key -> what its last notification contained, for one receiver.
using GroupLog = std::map<std::string, NotificationLogEntry>;
// Receiver name -> its groups' entries.
using NotificationLog = std::map<std::string, GroupLog>;

// How long an entry that no group has claimed since a restart is kept (Alertmanager's default
// nflog retention): firing alerts are submitted again every resend_delay, so a live group claims
// its entry within minutes; what stays unclaimed this long belongs to nothing.
inline constexpr Duration kNotificationLogRetention = std::chrono::hours(120);

std::string EncodeNotificationLog(const NotificationLog& log);
Result<NotificationLog> DecodeNotificationLog(const std::string& text);

// The entry a webhook notification body implies once delivered: its alerts by status. Used to
// rebuild the log from notifications still in the outbox (a crash between writing a notification
// and the log).
Result<NotificationLogEntry> EntryFromWebhookBody(const std::string& body, SystemTime created);

}  // namespace opswatch::notify
