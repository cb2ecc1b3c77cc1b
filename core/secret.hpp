// A secret string (DSN, token, webhook URL). It has no stream operator and no implicit conversion,
// so it cannot end up in a log line, metric label or error message by accident: every use must
// call Reveal() and is visible in review.
#pragma once

#include <string>
#include <utility>

namespace opswatch {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

// Removes every occurrence of `secret` (when non-empty) from `text`, replacing it with "<secret>".
// For error texts from libraries that may echo what we passed them (libpq, libcurl).
std::string RedactSecret(std::string text, const std::string& secret);

}  // namespace opswatch
