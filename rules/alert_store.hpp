// Alert state that survives a restart: every active and retained-resolved alert of every rule,
// written to <state_dir>/alerts.json atomically (temp file, fsync, rename, fsync of the dir), so a
// crash leaves either the old or the new file, never a torn one; <state_dir>/alerts.alive holds
// the time of the last evaluation round, where the outage a restart recovers from begins.
//
// Restoring (RestoreAlerts) follows Prometheus's RestoreForState with its defaults
// (rules.alert-for-outage-tolerance 1h, rules.alert-for-grace-period 10m), and goes further
// where Prometheus forgets things:
//  - pending alerts: `for` progress is kept and the downtime is not counted (active_at moves
//    forward by the outage); an alert that would fire within the grace period after the restart
//    fires at the earliest `grace_period` after it; nothing is restored when `for` is shorter than
//    the grace period or the outage is longer than the tolerance (the alert starts pending again).
//  - firing alerts stay firing with their start and last-sent times, so a restart neither
//    re-sends them early nor forgets them: if the series is gone at the first evaluation, the
//    resolve is sent.
//  - resolved alerts still inside their 15-minute retention are restored and keep being re-sent.
// Thread-safety: AlertStore is not thread-safe (one owner, the rule manager); RestoreAlerts is
// pure.
#pragma once

#include <string>
#include <vector>

#include "core/status.hpp"
#include "rules/alert_state.hpp"

namespace opswatch {

struct StoredAlert {
  std::string rule_key;  // "<group>/<alertname>", see RuleKey()
  AlertRecord record;
};

struct StoredAlerts {
  SystemTime saved_at{};  // when the process last saved: the start of the outage
  std::vector<StoredAlert> alerts;
};

std::string RuleKey(const std::string& group, const std::string& alertname);

class AlertStore {
 public:
  explicit AlertStore(std::string state_dir);
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  // Missing file: empty state. A corrupt file is an error (the caller logs it and starts empty);
  // so is one that is not a regular file or larger than kStateFileLimit (read bounded and
  // non-blocking: a FIFO or a link to /dev/zero is refused at once). A file of an unknown version
  // (a newer opswatch's) is renamed to alerts.json.unknown-version-<n> first, so the next Save
  // cannot destroy it. saved_at is the later of the last Save and the last MarkAlive.
  Result<StoredAlerts> Load() const;
  // Durable (fsync'd) write of the whole state; the rule manager calls it when the state a
  // restart needs has changed.
  Status Save(const StoredAlerts& state) const;
  // Records that the process was alive at `now` (<state_dir>/alerts.alive, no fsync): every
  // evaluation round, so an outage is measured from the last round, not from the last change.
  Status MarkAlive(SystemTime now) const;
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
  std::string alive_path_;
};

struct RestoreOptions {
  Millis outage_tolerance = std::chrono::hours(1);
  Millis grace_period = std::chrono::minutes(10);
};

// Puts `stored` (one rule's saved alerts) into `active` before that rule's first evaluation after
// a restart at `now`; `down_at` is StoredAlerts::saved_at.
void RestoreAlerts(ActiveAlerts& active, const std::vector<AlertRecord>& stored, Millis hold,
                   SystemTime down_at, SystemTime now, const RestoreOptions& options = {});

// Serialisation, exposed for tests.
std::string EncodeStoredAlerts(const StoredAlerts& state);
Result<StoredAlerts> DecodeStoredAlerts(const std::string& text);

}  // namespace opswatch
