#include "collectors/command/command_collector.hpp"

#include <algorithm>

#include "collectors/collector_services.hpp"
#include "collectors/command/command_metrics.hpp"
#include "collectors/command/command_output.hpp"
#include "core/utf8.hpp"

namespace opswatch {

ProcessSpec BuildCommandSpec(const CommandConfig& config, Millis timeout) {
  ProcessSpec spec;
  spec.argv = config.argv;
  for (const auto& [name, value] : config.env) spec.env.push_back(name + "=" + value.Reveal());
  if (!config.env.contains("PATH")) spec.env.push_back("PATH=" + config.path);
  spec.working_dir = config.working_dir;
  spec.credentials = config.credentials;
  spec.max_stdout_bytes = config.max_output_bytes;
  spec.timeout = timeout;
  // SIGKILL follows SIGTERM within the scheduler's grace past the deadline (a tenth of the
  // timeout, at least 50 ms), so a stopped command is reported by us, not abandoned.
  spec.kill_grace = std::clamp<Millis>(timeout / 20, Millis(25), Millis(500));
  return spec;
}

std::string LastLineRedacted(std::string_view text, const std::map<std::string, Secret>& env) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  size_t start = text.find_last_of('\n');
  std::string line(start == std::string_view::npos ? text : text.substr(start + 1));
  for (const auto& [name, value] : env) line = RedactSecret(std::move(line), value.Reveal());
  return SanitizeUtf8(line);
}

CommandCollector::CommandCollector(CommandConfig config, std::shared_ptr<ProcessRunner> runner,
                                   std::shared_ptr<ProcessSlots> slots, Clock& clock,
                                   Logger& logger)
    : config_(std::move(config)),
      runner_(std::move(runner)),
      slots_(std::move(slots)),
      clock_(clock),
      logger_(logger) {}

CollectResult CommandCollector::Collect(const RunContext& ctx) {
  CollectResult result;
  ProcessSlots::Slot slot = slots_->Acquire(ctx.deadline - clock_.SteadyNow());
  if (!slot.held()) {
    result.status =
        Status::Error("no free command slot before the deadline (at most " +
                      std::to_string(kMaxConcurrentCommands) + " commands run at once)");
    return result;
  }
  auto remaining = std::chrono::duration_cast<Millis>(ctx.deadline - clock_.SteadyNow());
  Millis timeout = std::max(Millis(1), std::min(config_.timeout, remaining));
  ProcessOutcome outcome = runner_->Run(BuildCommandSpec(config_, timeout));
  if (outcome.timed_out) ++timeouts_;
  if (outcome.stdout_dropped_bytes > 0) ++truncated_;
  CommandVerdict verdict = JudgeCommandRun(config_, outcome);

  int exit_code = outcome.exited ? outcome.exit_code : outcome.started ? 128 + outcome.signal : -1;
  result.families.push_back(NewFamily(command_metrics::kExitCode).Add({}, exit_code));
  result.families.push_back(NewFamily(command_metrics::kStatus).Add({}, verdict.status));
  result.families.push_back(
      NewFamily(command_metrics::kDuration).Add({}, outcome.duration_seconds));
  result.families.push_back(NewFamily(command_metrics::kTimeouts).Add({}, double(timeouts_)));
  result.families.push_back(
      NewFamily(command_metrics::kOutputTruncated).Add({}, double(truncated_)));
  for (MetricFamily& family : verdict.families) result.families.push_back(std::move(family));
  if (outcome.stdout_dropped_bytes > 0) {
    logger_.Warn("command output cut at max_output_bytes",
                 {{"collector", config_.collector},
                  {"kept_bytes", std::to_string(outcome.stdout_text.size())},
                  {"dropped_bytes", std::to_string(outcome.stdout_dropped_bytes)}});
  }
  LogChange(verdict.status, verdict.problem, outcome);
  if (!outcome.started) result.status = Status::Error("command " + verdict.problem);
  return result;
}

void CommandCollector::LogChange(int status, const std::string& problem,
                                 const ProcessOutcome& outcome) {
  if (status == last_status_) return;
  last_status_ = status;
  static constexpr const char* kNames[] = {"ok", "warning", "critical", "unknown"};
  std::string stderr_line = LastLineRedacted(outcome.stderr_tail, config_.env);
  std::string reason = LastLineRedacted(problem, config_.env);
  if (status == kCommandOk) {
    logger_.Info("command is ok", {{"collector", config_.collector}, {"status", kNames[status]}});
  } else {
    logger_.Warn("command is not ok", {{"collector", config_.collector},
                                       {"status", kNames[status]},
                                       {"reason", reason},
                                       {"stderr", stderr_line}});
  }
}

}  // namespace opswatch
