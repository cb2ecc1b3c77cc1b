// Shared services collectors are built with. Owned by the App; outlives every collector it
// creates (including collectors whose runs were abandoned, which hold no reference past Collect).
// Heavy shared machinery (the HTTP probe loop) is created on first use, so a config without that
// collector type pays nothing for it.
// Thread-safety: the accessors are thread-safe.
#pragma once

#include <memory>
#include <mutex>

#include "core/clock.hpp"
#include "core/logger.hpp"

namespace opswatch {

class DiskStatter;

class CollectorServices {
 public:
  CollectorServices(Clock& clock, Logger& logger, DiskStatter& disk_statter)
      : clock_(clock), logger_(logger), disk_statter_(disk_statter) {}
  ~CollectorServices();
  CollectorServices(const CollectorServices&) = delete;
  CollectorServices& operator=(const CollectorServices&) = delete;

  Clock& clock() const { return clock_; }
  Logger& logger() const { return logger_; }
  DiskStatter& disk_statter() const { return disk_statter_; }

 private:
  Clock& clock_;
  Logger& logger_;
  DiskStatter& disk_statter_;
  std::mutex mu_;  // guards lazily created services
};

}  // namespace opswatch
