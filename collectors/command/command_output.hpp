// What one finished run means under a config (README, `type: command`, "Output modes"): the
// Nagios-style verdict and the families of the output mode. Pure, so every mode is unit-tested
// with canned outcomes; the collector adds the run's own series (exit code, duration, counters).
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "collectors/command/command_config.hpp"
#include "collectors/process_runner.hpp"
#include "core/metric.hpp"

namespace opswatch {

// opswatch_command_status values (Nagios's plugin return codes).
enum CommandStatus {
  kCommandOk = 0,
  kCommandWarning = 1,
  kCommandCritical = 2,
  kCommandUnknown = 3
};

struct CommandVerdict {
  int status = kCommandOk;
  // Why the status is not ok (for the log; never argv or env values). Empty when ok.
  std::string problem;
  // The nagios status text (first line of stdout); empty in other modes.
  std::string status_text;
  std::vector<MetricFamily> families;  // the mode's own series
};

CommandVerdict JudgeCommandRun(const CommandConfig& config, const ProcessOutcome& outcome);

}  // namespace opswatch
