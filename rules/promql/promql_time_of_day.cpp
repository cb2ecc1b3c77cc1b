// day_of_month, day_of_week, days_in_month, hour, minute, month and year, as Prometheus 2.42
// computes them: the sample value is converted to whole seconds the way Go converts a float to
// int64 on amd64, and the calendar fields come from Go's own UTC date arithmetic (ported here),
// so NaN, ±Inf and values beyond year 292 billion give Prometheus's numbers, not ours.
#include <cmath>
#include <cstdint>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

constexpr uint64_t kSecondsPerDay = 86400;
constexpr uint64_t kDaysPer400Years = 365 * 400 + 97;
constexpr uint64_t kDaysPer100Years = 365 * 100 + 24;
constexpr uint64_t kDaysPer4Years = 365 * 4 + 1;
constexpr int64_t kAbsoluteZeroYear = -292277022399LL;
// Seconds from Go's absolute zero (a year far before 1970) to the Unix epoch.
constexpr uint64_t kUnixToAbsolute = 9223371966579724800ULL + 62135596800ULL;

// Go's int64(f) on amd64: out of range and NaN give the "integer indefinite" value.
int64_t GoFloatToInt64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(v);
}

struct Date {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int weekday;
  int hour;
  int minute;
};

bool IsLeap(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysIn(int month, int64_t year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeap(year)) return 29;
  return kDays[month - 1];
}

// Go's absDate and absWeekday over the unsigned seconds since its absolute zero; the wrapping
// additions are Go's own (time.Unix(sec, 0).UTC() for any int64 sec).
Date ToDate(int64_t unix_seconds) {
  const uint64_t abs = static_cast<uint64_t>(unix_seconds) + kUnixToAbsolute;
  Date date{};
  date.hour = static_cast<int>(abs % kSecondsPerDay / 3600);
  date.minute = static_cast<int>(abs % 3600 / 60);
  // Go's absolute zero was a Monday.
  date.weekday = static_cast<int>((abs + kSecondsPerDay) % (7 * kSecondsPerDay) / kSecondsPerDay);
  uint64_t d = abs / kSecondsPerDay;
  uint64_t n = d / kDaysPer400Years;
  uint64_t y = 400 * n;
  d -= kDaysPer400Years * n;
  n = d / kDaysPer100Years;
  n -= n >> 2;  // the last day of a 400-year cycle
  y += 100 * n;
  d -= kDaysPer100Years * n;
  n = d / kDaysPer4Years;
  y += 4 * n;
  d -= kDaysPer4Years * n;
  n = d / 365;
  n -= n >> 2;  // the last day of a leap year
  y += n;
  d -= 365 * n;
  date.year = static_cast<int64_t>(y) + kAbsoluteZeroYear;
  int yday = static_cast<int>(d);
  if (IsLeap(date.year)) {
    if (yday == 31 + 29 - 1) {
      date.month = 2;
      date.day = 29;
      return date;
    }
    if (yday > 31 + 29 - 1) yday--;
  }
  static constexpr int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};
  int month = yday / 31;
  const int end = kDaysBefore[month + 1];
  int begin = kDaysBefore[month];
  if (yday >= end) {
    month++;
    begin = end;
  }
  date.month = month + 1;
  date.day = yday - begin + 1;
  return date;
}

double Field(Function f, const Date& date) {
  switch (f) {
    case Function::kDayOfMonth:
      return date.day;
    case Function::kDayOfWeek:
      return date.weekday;
    case Function::kDaysInMonth:
      return DaysIn(date.month, date.year);
    case Function::kHour:
      return date.hour;
    case Function::kMinute:
      return date.minute;
    case Function::kMonth:
      return date.month;
    default:
      return static_cast<double>(date.year);
  }
}

}  // namespace

InstantValue EvalTimeOfDay(const Expr& e, Context& ctx) {
  InstantValue out;
  if (e.args.empty()) {
    // Without an argument: the evaluation time, truncated to whole seconds, unlabelled.
    const Date now = ToDate(ctx.now_ms / 1000);
    out.vector.push_back(Sample{ctx.Own(Labels()), nullptr, Field(e.function, now)});
    return out;
  }
  const Function f = e.function;
  out.vector = MapSamples(
      EvalNode(*e.args[0], ctx).vector,
      [f](double v) { return Field(f, ToDate(GoFloatToInt64(v))); }, ctx);
  return out;
}

}  // namespace opswatch::promql::internal
