// Numbers in an exposition, read with the syntax Prometheus accepts: Go's strconv.ParseFloat
// without hexadecimal floats and digit separators (Prometheus rejects 'p', 'P' and '_'), so
// "1.5e3", ".5", "1.", "+Inf", "-inf", "Infinity", "NaN" and "nan" are numbers and "0x10", "1_000",
// "+NaN" and "true" are not. Overflow ("1e400") is an error as in Go; underflow rounds to zero.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace opswatch::exposition {

enum class NumberError {
  kNone,
  kSyntax,       // not a number
  kUnsupported,  // 'p', 'P' or '_' (hex floats and digit separators)
  kOutOfRange,   // beyond the double range
};

// Parses `text` (the whole of it) into `out`. NaN comes out as the one quiet NaN, as Prometheus
// normalises it, so it never looks like a staleness marker.
NumberError ParseGoFloat(std::string_view text, double& out);

// Parses a run of decimal digits (the text format's millisecond timestamp) into `out`.
NumberError ParseDecimalInt64(std::string_view digits, int64_t& out);

// Converts an OpenMetrics timestamp (float seconds) to milliseconds, truncating toward zero as
// Prometheus does; kSyntax for NaN and infinities, kOutOfRange when it does not fit in int64.
NumberError SecondsToMilliseconds(double seconds, int64_t& out);

// The error message for `token` that failed with `error`; `what` names the token ("value",
// "timestamp", "exemplar value").
std::string NumberErrorMessage(NumberError error, std::string_view what, std::string_view token);

}  // namespace opswatch::exposition
