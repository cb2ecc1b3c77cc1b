#include "notify/aggregation.hpp"

#include <algorithm>

namespace opswatch::notify {
namespace {

bool IsSubset(const std::set<std::string>& subset, const std::set<std::string>& of) {
  return std::includes(of.begin(), of.end(), subset.begin(), subset.end());
}

// Alertmanager's types.AlertSlice order: by labels, so bodies are stable across flushes.
bool AlertOrder(const Alert& a, const Alert& b) {
  if (a.labels != b.labels) return a.labels < b.labels;
  return AlertStartsAt(a) < AlertStartsAt(b);
}

}  // namespace

Labels GroupLabels(const std::vector<std::string>& group_by, const Labels& labels) {
  if (std::find(group_by.begin(), group_by.end(), "...") != group_by.end()) return labels;
  Labels out;
  for (const std::string& name : group_by) {
    if (labels.Has(name)) out.Set(name, labels.Get(name));
  }
  return out;
}

std::string GroupKey(const ReceiverConfig& receiver, const Labels& group_labels) {
  std::string route = "{}";
  if (!receiver.match.empty() || !receiver.match_re.empty()) {
    // Matchers as Alertmanager prints a child route's: {name="value", name=~"regex"}.
    std::string matchers;
    for (const auto& [name, value] : receiver.match) {
      if (!matchers.empty()) matchers += ", ";
      matchers += name + "=\"" + EscapeLabelValue(value) + "\"";
    }
    for (const auto& matcher : receiver.match_re) {
      if (!matchers.empty()) matchers += ", ";
      matchers += matcher.name + "=~\"" + EscapeLabelValue(matcher.pattern) + "\"";
    }
    route += "/{" + matchers + "}";
  }
  return route + ":" + group_labels.ToString();
}

void GroupAggregator::Add(const Alert& alert, SystemTime now) {
  Labels labels = GroupLabels(config_.group_by, alert.labels);
  std::string key = GroupKey(config_, labels);
  auto [it, created] = groups_.try_emplace(key);
  Group& group = it->second;
  if (created) {
    group.labels = labels;
    group.key = key;
    group.next_flush = now + config_.group_wait;
    if (auto entry = restored_.extract(key)) group.notified = std::move(entry.mapped());
  }
  // Alertmanager flushes at once when the alert has already waited group_wait (e.g. it fired
  // before a restart), rather than delaying it a second time.
  if (!group.has_flushed && AlertStartsAt(alert) + config_.group_wait < now) {
    group.next_flush = std::min(group.next_flush, now);
  }
  group.alerts[FingerprintHex(alert.labels)] = alert;
}

bool GroupAggregator::NeedsUpdate(const Group& group, const std::set<std::string>& firing,
                                  const std::set<std::string>& resolved, SystemTime now) const {
  if (!group.notified) return !firing.empty();
  const NotificationLogEntry& last = *group.notified;
  if (!IsSubset(firing, last.firing)) return true;
  if (config_.send_resolved && !IsSubset(resolved, last.resolved)) return true;
  // Everything resolved since the last notification: that is news in itself.
  if (firing.empty()) return !last.firing.empty();
  return last.notified_at + config_.repeat_interval <= now;
}

std::vector<WebhookMessage> GroupAggregator::Flush(SystemTime now) {
  std::vector<WebhookMessage> out;
  log_changed_ |= std::erase_if(restored_, [now](const auto& item) {
                    return item.second.notified_at + kNotificationLogRetention < now;
                  }) > 0;
  for (auto it = groups_.begin(); it != groups_.end();) {
    Group& group = it->second;
    if (group.next_flush > now) {
      ++it;
      continue;
    }
    group.has_flushed = true;
    group.next_flush = now + config_.group_interval;
    std::set<std::string> firing, resolved;
    std::vector<Alert> alerts;
    for (const auto& [fingerprint, alert] : group.alerts) {
      (alert.resolved() ? resolved : firing).insert(fingerprint);
      if (!alert.resolved() || config_.send_resolved) alerts.push_back(alert);
    }
    if (NeedsUpdate(group, firing, resolved, now)) {
      group.notified = NotificationLogEntry{firing, resolved, now};
      log_changed_ = true;
      if (!alerts.empty()) {
        std::sort(alerts.begin(), alerts.end(), AlertOrder);
        WebhookMessage message{config_.name, group.key, group.labels, {}, 0};
        if (config_.max_alerts > 0 && alerts.size() > static_cast<size_t>(config_.max_alerts)) {
          message.truncated_alerts = alerts.size() - static_cast<size_t>(config_.max_alerts);
          alerts.resize(static_cast<size_t>(config_.max_alerts));
        }
        message.alerts = std::move(alerts);
        out.push_back(std::move(message));
      }
    }
    // Resolved alerts have been handed on (or need not be); a group with none left ends.
    for (const auto& fingerprint : resolved) group.alerts.erase(fingerprint);
    if (group.alerts.empty()) {
      // Its entry goes with it: a group with no alerts has nothing left to resolve, and a new
      // firing alert is news to a fresh group just as to an entry without firing alerts.
      log_changed_ |= group.notified.has_value();
      it = groups_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void GroupAggregator::RestoreLog(GroupLog entries) {
  for (auto& [key, entry] : entries) {
    auto group = groups_.find(key);
    if (group == groups_.end()) {
      restored_[key] = std::move(entry);
    } else if (!group->second.notified || group->second.notified->notified_at < entry.notified_at) {
      group->second.notified = std::move(entry);
    }
  }
  log_changed_ = true;
}

GroupLog GroupAggregator::ExportLog() const {
  GroupLog out = restored_;
  for (const auto& [key, group] : groups_) {
    if (group.notified) out[key] = *group.notified;
  }
  return out;
}

std::optional<SystemTime> GroupAggregator::NextFlush() const {
  std::optional<SystemTime> next;
  for (const auto& [key, group] : groups_) {
    if (!next || group.next_flush < *next) next = group.next_flush;
  }
  return next;
}

Duration PushTracker::ValidFor() const { return 4 * std::max(resend_delay_, evaluation_interval_); }

SystemTime PushTracker::FiringEndsAt(SystemTime now) const {
  return now + std::chrono::duration_cast<SystemTime::duration>(ValidFor());
}

void PushTracker::Add(const Alert& alert, SystemTime now) {
  std::string fingerprint = FingerprintHex(alert.labels);
  auto [it, created] = alerts_.try_emplace(fingerprint);
  Tracked& tracked = it->second;
  bool changed = created || tracked.alert.resolved() != alert.resolved() ||
                 tracked.alert.annotations != alert.annotations;
  tracked.alert = alert;
  tracked.last_submitted = now;
  if (changed) tracked.sent_since_change = false;
}

PushBatch PushTracker::Flush(SystemTime now) {
  PushBatch batch;
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    Tracked& tracked = it->second;
    const Alert& alert = tracked.alert;
    bool expired = alert.resolved()
                       ? alert.resolved_at + kResolvedResendFor < now
                       // No longer submitted: Alertmanager will let it expire at its endsAt.
                       : tracked.last_submitted + ValidFor() < now;
    if (expired) {
      it = alerts_.erase(it);
      continue;
    }
    if (!tracked.sent_since_change || tracked.last_sent + resend_delay_ <= now) {
      batch.alerts.push_back(alert);
      batch.fingerprints.push_back(it->first);
      tracked.sent_since_change = true;
      tracked.last_sent = now;
    }
    ++it;
  }
  return batch;
}

std::optional<SystemTime> PushTracker::NextFlush() const {
  std::optional<SystemTime> next;
  for (const auto& [fingerprint, tracked] : alerts_) {
    SystemTime due = tracked.sent_since_change ? tracked.last_sent + resend_delay_ : SystemTime{};
    if (!next || due < *next) next = due;
  }
  return next;
}

}  // namespace opswatch::notify
