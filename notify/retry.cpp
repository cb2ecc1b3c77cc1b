#include "notify/retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>

namespace opswatch::notify {

bool IsSuccess(const AttemptOutcome& outcome) {
  return outcome.status >= 200 && outcome.status < 300;
}

std::string FailureReason(const AttemptOutcome& outcome) {
  if (IsSuccess(outcome)) return "";
  if (outcome.timed_out) return "contextDeadlineExceeded";
  if (outcome.status >= 400 && outcome.status < 500) return "clientError";
  if (outcome.status >= 500 && outcome.status < 600) return "serverError";
  return "other";  // no response, or a status we do not expect (1xx, 3xx)
}

bool IsRetryable(const AttemptOutcome& outcome) {
  if (IsSuccess(outcome)) return false;
  if (outcome.status == 429) return true;
  return !(outcome.status >= 400 && outcome.status < 500);
}

std::optional<Duration> ParseRetryAfter(std::string_view value, SystemTime now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::nullopt;  // past any sane wait; treat as garbage
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  // curl_getdate understands the three HTTP-date forms of RFC 9110.
  time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  auto at = SystemTime(std::chrono::seconds(when));
  if (at <= now) return Duration::zero();
  return std::chrono::duration_cast<Duration>(at - now);
}

Duration BackoffDelay(const RetryPolicy& policy, int failures, double unit_random) {
  double initial = std::chrono::duration<double>(policy.initial).count();
  double cap = std::chrono::duration<double>(policy.max_interval).count();
  double base = initial * std::pow(policy.multiplier, std::max(0, failures - 1));
  base = std::min(base, cap);
  // Spread retries of many notifications so a recovering receiver is not hit all at once.
  double spread = base * policy.jitter * (2 * std::clamp(unit_random, 0.0, 1.0) - 1);
  double seconds = std::clamp(base + spread, initial, cap);
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

RetryDecision DecideRetry(const RetryPolicy& policy, const AttemptOutcome& outcome, int failures,
                          SystemTime first_attempt, SystemTime now,
                          const std::function<double()>& unit_random) {
  RetryDecision decision;
  if (IsSuccess(outcome)) {
    decision.kind = RetryDecision::kDelivered;
    return decision;
  }
  decision.reason = FailureReason(outcome);
  if (!IsRetryable(outcome)) {
    decision.kind = RetryDecision::kGiveUp;
    return decision;
  }
  Duration delay = BackoffDelay(policy, failures, unit_random());
  if (auto asked = ParseRetryAfter(outcome.retry_after, now)) {
    delay = std::max(delay, *asked);  // the receiver knows best; but never faster than backoff
  }
  SystemTime next = now + std::chrono::duration_cast<SystemTime::duration>(delay);
  if (next - first_attempt > policy.max_elapsed) {
    decision.kind = RetryDecision::kGiveUp;
    decision.reason = "expired";
    return decision;
  }
  decision.kind = RetryDecision::kRetry;
  decision.next_attempt = next;
  return decision;
}

}  // namespace opswatch::notify
