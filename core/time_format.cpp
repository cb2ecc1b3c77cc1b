#include "core/time_format.hpp"

#include <cstdio>
#include <ctime>

namespace opswatch {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// "<date><separator><time>" of a Unix second, in UTC.
std::string FormatSeconds(int64_t unix_seconds, char separator) {
  time_t secs = static_cast<time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  char format[] = "%Y-%m-%dT%H:%M:%S";
  format[8] = separator;
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

// Go's ".999999999" layout: the nanoseconds without trailing zeros, nothing when zero.
std::string TrimmedFraction(int64_t nanos) {
  if (nanos == 0) return "";
  char digits[16];
  std::snprintf(digits, sizeof digits, ".%09lld", static_cast<long long>(nanos));
  std::string fraction = digits;
  while (fraction.back() == '0') fraction.pop_back();
  return fraction;
}

}  // namespace

std::string FormatRfc3339Millis(SystemTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  int64_t secs = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis));
  return FormatSeconds(secs, 'T') + fraction;
}

std::string FormatRfc3339Nano(SystemTime t) {
  if (t == SystemTime{}) return "0001-01-01T00:00:00Z";
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  int64_t secs = ns / kNanosPerSecond;
  int64_t nanos = ns % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    secs -= 1;
  }
  return FormatSeconds(secs, 'T') + TrimmedFraction(nanos) + "Z";
}

std::string FormatGoTimeString(int64_t unix_seconds, int64_t nanos) {
  return FormatSeconds(unix_seconds, ' ') + TrimmedFraction(nanos) + " +0000 UTC";
}

}  // namespace opswatch
