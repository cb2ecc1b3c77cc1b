#include "notify/notification_log.hpp"

#include <nlohmann/json.hpp>

namespace opswatch::notify {
namespace {

constexpr int kFormat = 1;

int64_t ToNanos(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

SystemTime FromNanos(int64_t n) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(n)));
}

}  // namespace

std::string EncodeNotificationLog(const NotificationLog& log) {
  nlohmann::json receivers = nlohmann::json::object();
  for (const auto& [receiver, groups] : log) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& [key, entry] : groups) {
      entries.push_back({{"key", key},
                         {"firing", entry.firing},
                         {"resolved", entry.resolved},
                         {"notified_ns", ToNanos(entry.notified_at)}});
    }
    receivers[receiver] = std::move(entries);
  }
  nlohmann::json doc = {{"format", kFormat}, {"receivers", std::move(receivers)}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<NotificationLog> DecodeNotificationLog(const std::string& text) {
  try {
    nlohmann::json doc = nlohmann::json::parse(text);
    if (doc.at("format").get<int>() != kFormat) {
      return Result<NotificationLog>::Error("unknown notification log format");
    }
    NotificationLog log;
    for (const auto& [receiver, entries] : doc.at("receivers").items()) {
      GroupLog& groups = log[receiver];
      for (const auto& item : entries) {
        NotificationLogEntry entry;
        entry.firing = item.at("firing").get<std::set<std::string>>();
        entry.resolved = item.at("resolved").get<std::set<std::string>>();
        entry.notified_at = FromNanos(item.at("notified_ns").get<int64_t>());
        groups[item.at("key").get<std::string>()] = std::move(entry);
      }
    }
    return log;
  } catch (const std::exception& e) {
    return Result<NotificationLog>::Error(std::string("malformed notification log: ") + e.what());
  }
}

Result<NotificationLogEntry> EntryFromWebhookBody(const std::string& body, SystemTime created) {
  try {
    nlohmann::json doc = nlohmann::json::parse(body);
    NotificationLogEntry entry;
    entry.notified_at = created;
    for (const auto& alert : doc.at("alerts")) {
      const std::string fingerprint = alert.at("fingerprint").get<std::string>();
      if (alert.at("status").get<std::string>() == "resolved") {
        entry.resolved.insert(fingerprint);
      } else {
        entry.firing.insert(fingerprint);
      }
    }
    return entry;
  } catch (const std::exception& e) {
    return Result<NotificationLogEntry>::Error(std::string("malformed webhook body: ") + e.what());
  }
}

}  // namespace opswatch::notify
