// command: runs one configured command per collection through the ProcessRunner seam, within the
// shared concurrency limit (ProcessSlots), and publishes its verdict and its output mode's series
// (README, `type: command`).
//
// A command that reports a problem, times out or fails is an observation (status 2 and the
// built-in CommandCritical), not a collector failure; only a command that cannot start at all, or
// waits past the deadline for a free slot, fails the run. The status text and stderr's last line
// are logged when the verdict changes, with the values of `env` redacted; argv is never logged.
// Thread-safety: Collect() is not called concurrently for one instance (scheduler guarantee); the
// runner and slots are shared and thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "collectors/collector.hpp"
#include "collectors/command/command_config.hpp"
#include "collectors/process_runner.hpp"
#include "collectors/process_slots.hpp"

namespace opswatch {

// The process the collector asks for: argv, the environment (`env` plus PATH) and limits.
ProcessSpec BuildCommandSpec(const CommandConfig& config, Millis timeout);

// The last non-empty line of `text`, with every value of `env` replaced by "<secret>".
std::string LastLineRedacted(std::string_view text, const std::map<std::string, Secret>& env);

class CommandCollector final : public Collector {
 public:
  // Runner and slots are shared: a run in progress keeps them when the services go.
  CommandCollector(CommandConfig config, std::shared_ptr<ProcessRunner> runner,
                   std::shared_ptr<ProcessSlots> slots, Clock& clock, Logger& logger);
  CollectResult Collect(const RunContext& ctx) override;

 private:
  void LogChange(int status, const std::string& problem, const ProcessOutcome& outcome);

  CommandConfig config_;
  std::shared_ptr<ProcessRunner> runner_;
  std::shared_ptr<ProcessSlots> slots_;
  Clock& clock_;
  Logger& logger_;
  uint64_t timeouts_ = 0;
  uint64_t truncated_ = 0;
  int last_status_ = kNoStatusYet;
  static constexpr int kNoStatusYet = -1;
};

}  // namespace opswatch
