// A clock that moves only when told to: tests drive time-dependent logic without sleeping.
// Thread-safety: thread-safe.
#pragma once

#include <mutex>

#include "core/clock.hpp"

namespace opswatch {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime system_start = SystemTime(std::chrono::seconds(1'700'000'000)))
      : steady_(SteadyTime(std::chrono::hours(1000))), system_(system_start) {}

  SteadyTime SteadyNow() const override {
    std::lock_guard lock(mu_);
    return steady_;
  }
  SystemTime SystemNow() const override {
    std::lock_guard lock(mu_);
    return system_;
  }
  void Advance(Duration d) {
    std::lock_guard lock(mu_);
    steady_ += d;
    system_ += std::chrono::duration_cast<SystemTime::duration>(d);
  }

 private:
  mutable std::mutex mu_;
  SteadyTime steady_;  // GUARDED_BY(mu_)
  SystemTime system_;  // GUARDED_BY(mu_)
};

}  // namespace opswatch
