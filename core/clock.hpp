// Time as a dependency (Envoy's TimeSource). Steady time drives intervals, deadlines and backoff;
// system time stamps samples and alerts.
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <chrono>

namespace opswatch {

using SteadyTime = std::chrono::steady_clock::time_point;
using SystemTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime SteadyNow() const = 0;
  virtual SystemTime SystemNow() const = 0;
};

class RealClock final : public Clock {
 public:
  SteadyTime SteadyNow() const override { return std::chrono::steady_clock::now(); }
  SystemTime SystemNow() const override { return std::chrono::system_clock::now(); }
};

// Seconds since the Unix epoch, as Prometheus timestamps are exposed.
inline double ToUnixSeconds(SystemTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}
inline double ToSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace opswatch
