// Whether and when to try a notification again (Alertmanager's retry stage, with Retry-After and
// 429 handled as RFC 9110 intends). Pure functions of the attempt's outcome, the policy and `now`.
// Thread-safety: stateless.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "notify/notify_config.hpp"

namespace opswatch::notify {

// What one HTTP attempt came to. Error text never holds the URL (the transport redacts it).
struct AttemptOutcome {
  long status = 0;          // HTTP status; 0 when no response arrived
  bool timed_out = false;   // the receiver's timeout passed
  std::string error;        // transport error text when status == 0
  std::string retry_after;  // the Retry-After header, raw
  Duration elapsed{};
};

// The failure reasons Alertmanager uses for alertmanager_notifications_failed_total, so
// dashboards carry over: clientError (4xx), serverError (5xx), contextDeadlineExceeded (timeout),
// other (connection refused, DNS, TLS, ...). Empty for a 2xx.
std::string FailureReason(const AttemptOutcome& outcome);
bool IsSuccess(const AttemptOutcome& outcome);
// Transport errors, timeouts, 5xx and 429 are worth retrying; other 4xx are not (the same body
// will be refused again).
bool IsRetryable(const AttemptOutcome& outcome);

// Retry-After as delta-seconds or an HTTP-date; nullopt when absent or malformed.
std::optional<Duration> ParseRetryAfter(std::string_view value, SystemTime now);

// The wait before retry number `failures` (1 after the first failed attempt): initial *
// multiplier^(failures-1), capped at max_interval, then spread by ±jitter using `unit_random` in
// [0, 1), and never below `initial` so no two attempts come closer than that.
Duration BackoffDelay(const RetryPolicy& policy, int failures, double unit_random);

struct RetryDecision {
  enum Kind { kDelivered, kRetry, kGiveUp } kind = kGiveUp;
  SystemTime next_attempt{};  // for kRetry
  std::string reason;         // for kRetry and kGiveUp: FailureReason, or "expired"
};

// `failures` counts failed attempts including this one; `first_attempt` is when the first one
// started. Gives up on a non-retryable answer, or when the next attempt would start more than
// max_elapsed after the first.
RetryDecision DecideRetry(const RetryPolicy& policy, const AttemptOutcome& outcome, int failures,
                          SystemTime first_attempt, SystemTime now,
                          const std::function<double()>& unit_random);

}  // namespace opswatch::notify
