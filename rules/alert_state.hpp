// The alert state machine of one alerting rule, as Prometheus's rules/alerting.go: a pure
// function of (previous alerts, this evaluation's result vector, now).
//
//   inactive --result has series--> pending --held for `for`--> firing
//   pending  --series gone--> dropped (never sent)
//   firing   --series gone--> kept firing for `keep_firing_for`, then resolved (state inactive,
//                             resolved_at set) and retained 15 minutes so the resolve is re-sent
//   resolved --series back--> a new pending alert (new active_at)
//
// Thread-safety: pure functions over caller-owned values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/alert.hpp"
#include "core/status.hpp"
#include "core/units.hpp"

namespace opswatch {

// How long a resolved alert is kept (and re-sent), Prometheus's resolvedRetention.
inline constexpr Millis kResolvedRetention = std::chrono::minutes(15);

// An alert plus the bookkeeping the state machine needs that the dispatcher does not.
struct AlertRecord {
  Alert alert;
  SystemTime keep_firing_since{};  // first evaluation the series was missing while firing
};

// The alerts of one rule keyed by the fingerprint of their final labels. Ordered so that output
// (metrics, API) is deterministic.
using ActiveAlerts = std::map<uint64_t, AlertRecord>;

// One output series of the rule's expression after templating: final labels (series labels
// without __name__, plus the rule's templated labels, plus alertname) and templated annotations.
struct AlertCandidate {
  Labels labels;
  std::map<std::string, std::string> annotations;
  double value = 0;
};

struct AlertTiming {
  Millis hold{0};             // `for`
  Millis keep_firing_for{0};  // `keep_firing_for`
};

// Applies one evaluation at `now`. On error (two series with the same labels after applying the
// rule's labels) `active` is left unchanged, as Prometheus leaves it.
Status UpdateAlerts(ActiveAlerts& active, std::vector<AlertCandidate> results,
                    const AlertTiming& timing, SystemTime now);

// Prometheus's Alert.needsSending: firing alerts every `resend_delay`, a resolve at once and then
// every `resend_delay` while retained; pending alerts never.
bool NeedsSending(const Alert& alert, SystemTime now, Millis resend_delay);

// Marks the alerts that need sending as sent at `now`, sets their valid_until to
// now + 4 * max(resend_delay, eval_interval) (Alertmanager's endsAt), and returns copies.
std::vector<Alert> TakeAlertsToSend(ActiveAlerts& active, SystemTime now, Millis resend_delay,
                                    Millis eval_interval);

}  // namespace opswatch
