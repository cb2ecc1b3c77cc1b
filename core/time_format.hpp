// Timestamps as text, in UTC. One implementation for every shape opswatch prints: our own logs and
// pages (milliseconds), and the shapes Prometheus and Alertmanager print (Go's RFC3339Nano and
// time.Time.String()), so payloads and API answers compare equal to theirs.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.hpp"

namespace opswatch {

// RFC 3339 with exactly three fraction digits ("2026-11-22T03:19:20.357Z"): logs, /health, the
// status page.
std::string FormatRfc3339Millis(SystemTime t);

// Go's time.RFC3339Nano: fraction digits up to nanoseconds without trailing zeros, none when whole
// ("2023-11-14T22:13:21.5Z"); the zero SystemTime as Go's zero time ("0001-01-01T00:00:00Z").
// Alertmanager payloads and the /api/v1/rules and /api/v1/alerts answers.
std::string FormatRfc3339Nano(SystemTime t);

// Go's time.Time.String() of a Unix time given as seconds and nanoseconds (0 <= nanos < 1e9):
// "2006-01-02 15:04:05.999999999 +0000 UTC" (the template function humanizeTimestamp).
std::string FormatGoTimeString(int64_t unix_seconds, int64_t nanos);

}  // namespace opswatch
