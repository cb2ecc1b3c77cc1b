#include "rules/alert_state.hpp"

#include <algorithm>
#include <set>

namespace opswatch {

Status UpdateAlerts(ActiveAlerts& active, std::vector<AlertCandidate> results,
                    const AlertTiming& timing, SystemTime now) {
  std::map<uint64_t, AlertCandidate> current;
  for (auto& candidate : results) {
    uint64_t fp = candidate.labels.Fingerprint();
    if (!current.emplace(fp, std::move(candidate)).second) {
      return Status::Error(
          "vector contains metrics with the same labelset after applying alert labels");
    }
  }

  // Known alerts that are still active keep their state and start time and take the new value and
  // annotations; new series (or series of resolved alerts) start pending now.
  for (auto& [fp, candidate] : current) {
    auto it = active.find(fp);
    if (it != active.end() && it->second.alert.state != AlertState::kInactive) {
      it->second.alert.value = candidate.value;
      it->second.alert.annotations = std::move(candidate.annotations);
      continue;
    }
    AlertRecord record;
    record.alert.labels = std::move(candidate.labels);
    record.alert.annotations = std::move(candidate.annotations);
    record.alert.value = candidate.value;
    record.alert.state = AlertState::kPending;
    record.alert.active_at = now;
    active[fp] = std::move(record);
  }

  for (auto it = active.begin(); it != active.end();) {
    Alert& alert = it->second.alert;
    if (!current.count(it->first)) {
      bool keep_firing = false;
      if (alert.state == AlertState::kFiring && timing.keep_firing_for.count() > 0) {
        if (it->second.keep_firing_since == SystemTime{}) it->second.keep_firing_since = now;
        keep_firing = now - it->second.keep_firing_since < timing.keep_firing_for;
      }
      // Pending alerts vanish silently; resolved ones once their retention has passed.
      if (alert.state == AlertState::kPending ||
          (alert.resolved() && now - alert.resolved_at > kResolvedRetention)) {
        it = active.erase(it);
        continue;
      }
      if (!keep_firing) {
        if (alert.state != AlertState::kInactive) {
          alert.state = AlertState::kInactive;
          alert.resolved_at = now;
        }
        ++it;
        continue;
      }
    } else {
      it->second.keep_firing_since = SystemTime{};
    }
    if (alert.state == AlertState::kPending && now - alert.active_at >= timing.hold) {
      alert.state = AlertState::kFiring;
      alert.fired_at = now;
    }
    ++it;
  }
  return Status::Ok();
}

bool NeedsSending(const Alert& alert, SystemTime now, Millis resend_delay) {
  if (alert.state == AlertState::kPending) return false;
  if (alert.resolved_at > alert.last_sent_at) return true;  // resolved since last sent
  return alert.last_sent_at + resend_delay < now;
}

std::vector<Alert> TakeAlertsToSend(ActiveAlerts& active, SystemTime now, Millis resend_delay,
                                    Millis eval_interval) {
  std::vector<Alert> out;
  for (auto& [fp, record] : active) {
    Alert& alert = record.alert;
    if (!NeedsSending(alert, now, resend_delay)) continue;
    alert.last_sent_at = now;
    // Allows two missed evaluations or sends before Alertmanager resolves it on its own.
    alert.valid_until = now + 4 * std::max(resend_delay, eval_interval);
    out.push_back(alert);
  }
  return out;
}

}  // namespace opswatch
