#include "collectors/collector_services.hpp"

#include "collectors/http_probe_loop.hpp"
#include "collectors/process_runner.hpp"
#include "collectors/process_slots.hpp"

namespace opswatch {

CollectorServices::CollectorServices(Clock& clock, Logger& logger,
                                     std::shared_ptr<DiskStatter> disk_statter)
    : clock_(clock), logger_(logger), disk_statter_(std::move(disk_statter)) {}

CollectorServices::~CollectorServices() {
  std::lock_guard lock(mu_);
  if (process_runner_) process_runner_->KillAll();
}

HttpProbeLoop& CollectorServices::http_loop() {
  std::lock_guard lock(mu_);
  if (!http_loop_) http_loop_ = std::make_unique<HttpProbeLoop>(logger_);
  return *http_loop_;
}

std::shared_ptr<ProcessRunner> CollectorServices::process_runner() {
  std::lock_guard lock(mu_);
  if (!process_runner_) process_runner_ = std::make_shared<PosixProcessRunner>();
  return process_runner_;
}

std::shared_ptr<ProcessSlots> CollectorServices::command_slots() {
  std::lock_guard lock(mu_);
  if (!command_slots_) command_slots_ = std::make_shared<ProcessSlots>(kMaxConcurrentCommands);
  return command_slots_;
}

}  // namespace opswatch
