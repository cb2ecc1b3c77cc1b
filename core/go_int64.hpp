// Go's int64(f) conversion, which Prometheus's template functions (and so ours) use.
// Thread-safety: pure function.
#pragma once

#include <climits>
#include <cstdint>

namespace opswatch {

// Go's int64(f) on amd64: truncation toward zero, and math.MinInt64 for NaN and values out of
// range (which C++ leaves undefined).
inline int64_t GoInt64(double f) {
  if (f >= -9223372036854775808.0 && f < 9223372036854775808.0) return static_cast<int64_t>(f);
  return INT64_MIN;
}

}  // namespace opswatch
