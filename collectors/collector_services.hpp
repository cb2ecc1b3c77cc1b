// Shared services collectors are built with. Owned by the App; outlives every collector it
// creates (including collectors whose runs were abandoned, which hold no reference past Collect).
// Heavy shared machinery (the HTTP probe loop) is created on first use, so a config without that
// collector type pays nothing for it.
// Thread-safety: the accessors are thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>

#include "core/clock.hpp"
#include "core/logger.hpp"

namespace opswatch {

class DiskStatter;
class HttpProbeLoop;
class PosixProcessRunner;
class ProcessRunner;
class ProcessSlots;

// How many external commands (type: command) may run at once, across all command collectors.
inline constexpr size_t kMaxConcurrentCommands = 4;

class CollectorServices {
 public:
  CollectorServices(Clock& clock, Logger& logger, std::shared_ptr<DiskStatter> disk_statter);
  ~CollectorServices();
  CollectorServices(const CollectorServices&) = delete;
  CollectorServices& operator=(const CollectorServices&) = delete;

  Clock& clock() const { return clock_; }
  Logger& logger() const { return logger_; }
  // Shared: a stat abandoned on a hung mount keeps its own reference, so it may outlive the App.
  const std::shared_ptr<DiskStatter>& disk_statter() const { return disk_statter_; }
  // The one curl multi loop shared by every http collector; its thread starts on first use and
  // stops (pending probes fail with "probe loop stopped") when these services are destroyed.
  HttpProbeLoop& http_loop();
  // Runs external commands for command collectors, and the limit (kMaxConcurrentCommands) they
  // all share. Shared: a run still in progress when these services go (opswatch stopping) keeps
  // them; destroying the services kills every command still running, so none outlives opswatch.
  std::shared_ptr<ProcessRunner> process_runner();
  std::shared_ptr<ProcessSlots> command_slots();

 private:
  Clock& clock_;
  Logger& logger_;
  std::shared_ptr<DiskStatter> disk_statter_;
  std::mutex mu_;                                       // guards lazily created services
  std::unique_ptr<HttpProbeLoop> http_loop_;            // GUARDED_BY(mu_)
  std::shared_ptr<PosixProcessRunner> process_runner_;  // GUARDED_BY(mu_)
  std::shared_ptr<ProcessSlots> command_slots_;         // GUARDED_BY(mu_)
};

}  // namespace opswatch
