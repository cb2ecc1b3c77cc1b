#include "collectors/command/command_rules.hpp"

#include "collectors/command/command_metrics.hpp"

namespace opswatch {

std::vector<AlertRuleText> CommandBuiltinRules(const std::string& collector, const Thresholds&) {
  const std::string status = CollectorSelector(command_metrics::kStatus, collector);
  const std::string hint =
      "Run the command by hand as opswatch runs it (same user, working_dir and env) and read its "
      "output; opswatch logs the last line of its stderr when the status changes.";
  std::vector<AlertRuleText> rules;
  // A failed run (did not start, timed out, killed by a signal, unreadable output, a failing
  // check) is published as status 2, so it lands here too.
  rules.push_back({"CommandCritical", status + " == 2", std::chrono::minutes(1), "critical",
                   "Command {{ $labels.collector }} reports CRITICAL",
                   "The command of {{ $labels.collector }} returned critical, or its run failed "
                   "(did not start, timed out, was killed, or its output was invalid or failed a "
                   "check).",
                   hint});
  rules.push_back({"CommandWarning", status + " == 1", std::chrono::minutes(5), "warning",
                   "Command {{ $labels.collector }} reports WARNING",
                   "The command of {{ $labels.collector }} returned warning (exit code 1).", hint});
  rules.push_back({"CommandUnknown", status + " == 3", std::chrono::minutes(5), "warning",
                   "Command {{ $labels.collector }} reports UNKNOWN",
                   "The command of {{ $labels.collector }} could not judge (exit code 3, or an "
                   "exit code outside 0-3).",
                   hint});
  return rules;
}

}  // namespace opswatch
