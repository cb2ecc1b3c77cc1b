#include "collectors/command/command_output.hpp"

#include <csignal>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "collectors/command/command_metrics.hpp"
#include "collectors/command/command_perfdata.hpp"
#include "collectors/exposition_parser.hpp"
#include "collectors/json_judgement.hpp"

namespace opswatch {
namespace {

// Outside the nagios mode's own verdicts, anything wrong with a run is critical; the first
// problem is the one logged.
void Fail(CommandVerdict& verdict, std::string problem) {
  if (verdict.problem.empty()) verdict.problem = std::move(problem);
  verdict.status = kCommandCritical;
}

// A run that did not finish on its own is a failed run whatever the mode: critical.
bool JudgeRun(const ProcessOutcome& outcome, CommandVerdict& verdict) {
  if (!outcome.started) {
    Fail(verdict, "did not start: " + outcome.start_error);
  } else if (outcome.timed_out) {
    Fail(verdict, "timed out and was stopped");
  } else if (!outcome.exited) {
    const char* name = sigabbrev_np(outcome.signal);
    Fail(verdict, std::string("killed by signal ") +
                      (name ? std::string("SIG") + name : std::to_string(outcome.signal)));
  }
  return verdict.problem.empty();
}

void JudgeNagios(const ProcessOutcome& outcome, CommandVerdict& verdict) {
  NagiosOutput output = ParseNagiosOutput(outcome.stdout_text);
  verdict.status_text = output.status_text;
  if (outcome.exit_code >= 0 && outcome.exit_code <= 3) {
    verdict.status = outcome.exit_code;
    if (verdict.status != kCommandOk) verdict.problem = output.status_text;
  } else {
    verdict.status = kCommandUnknown;
    verdict.problem =
        "exit code " + std::to_string(outcome.exit_code) + " is not a Nagios state (0-3)";
  }
  MetricFamily value = NewFamily(command_metrics::kPerfdata);
  MetricFamily warning = NewFamily(command_metrics::kPerfdataWarning);
  MetricFamily critical = NewFamily(command_metrics::kPerfdataCritical);
  MetricFamily min = NewFamily(command_metrics::kPerfdataMin);
  MetricFamily max = NewFamily(command_metrics::kPerfdataMax);
  std::set<std::string> seen;
  for (const Perfdatum& datum : output.perfdata) {
    if (!seen.insert(datum.label).second) continue;  // one series per label: the first wins
    Labels labels{{"label", datum.label}};
    value.Add(labels, datum.value);
    if (datum.warning) warning.Add(labels, *datum.warning);
    if (datum.critical) critical.Add(labels, *datum.critical);
    if (datum.min) min.Add(labels, *datum.min);
    if (datum.max) max.Add(labels, *datum.max);
  }
  verdict.families = {std::move(value), std::move(warning), std::move(critical), std::move(min),
                      std::move(max)};
}

void JudgeJson(const CommandConfig& config, const ProcessOutcome& outcome,
               CommandVerdict& verdict) {
  MetricFamily check_ok = NewFamily(command_metrics::kCheckOk);
  MetricFamily json_value = NewFamily(command_metrics::kJsonValue);
  nlohmann::json doc = nlohmann::json::parse(outcome.stdout_text, nullptr,
                                             /*allow_exceptions=*/false);
  bool json_ok = !doc.is_discarded();
  if (!json_ok) {
    Fail(verdict, outcome.stdout_dropped_bytes > 0
                      ? "stdout is not valid JSON (cut at max_output_bytes)"
                      : "stdout is not valid JSON");
  }
  CheckInput input;
  input.status = outcome.exit_code;
  input.duration_seconds = outcome.duration_seconds;
  input.body = outcome.stdout_text;
  input.json = json_ok ? &doc : nullptr;
  JsonJudgement judgement = JudgeJsonDocument(config.checks, config.exports, input);
  if (!judgement.first_failure.empty()) Fail(verdict, judgement.first_failure);
  for (const auto& [text, ok] : judgement.checks) {
    check_ok.Add(Labels{{"check", text}}, ok ? 1 : 0);
  }
  for (const auto& [field, value] : judgement.exports) {
    json_value.Add(Labels{{"field", field}}, value);
  }
  verdict.families = {std::move(check_ok), std::move(json_value)};
}

// The exposition's families as ours. Only counter, gauge and untyped families: a histogram's or
// summary's series would be published under names promtool's lint refuses for plain series.
// A family without HELP gets node_exporter's textfile wording, since promtool wants help on every
// family.
Status ExposedFamilies(const ParsedExposition& parsed, const std::string& collector,
                       std::vector<MetricFamily>& out) {
  std::map<std::string, size_t> index;
  for (const ExposedSample& sample : parsed.samples) {
    const ExposedFamily& family = parsed.families[sample.family];
    MetricType type = MetricType::kGauge;
    switch (family.type) {
      case ExposedType::kCounter:
        type = MetricType::kCounter;
        break;
      case ExposedType::kGauge:
      case ExposedType::kUntyped:
        break;
      default:
        return Status::Error("family " + family.name + " is a " +
                             std::string(ExposedTypeName(family.type)) +
                             "; only counter, gauge and untyped families are supported");
    }
    const std::string& name = sample.series.name;
    if (name.rfind("opswatch_", 0) == 0) {
      return Status::Error("metric " + name + " uses opswatch's own namespace (opswatch_)");
    }
    auto [it, inserted] = index.emplace(name, out.size());
    if (inserted) {
      std::string help = family.help.value_or("");
      if (help.empty())
        help = "Metric read from the output of command collector " + collector + ".";
      out.push_back(MetricFamily{name, std::move(help), type, {}});
    }
    Labels labels;
    for (const auto& [label, value] : sample.series.labels) {
      // As Prometheus with honor_labels: false, the exposition's own `collector` label is kept
      // as exported_collector, so opswatch's collector label stays ours.
      labels.Set(label == "collector" ? "exported_collector" : label, value);
    }
    out[it->second].Add(std::move(labels), sample.series.value);
  }
  return Status::Ok();
}

void JudgeExposition(const CommandConfig& config, const ProcessOutcome& outcome,
                     CommandVerdict& verdict) {
  auto parsed = ParseExposition(outcome.stdout_text, ExpositionFormat::kPrometheusText);
  if (!parsed) {
    Fail(verdict, "stdout is not valid exposition text: " + parsed.error());
    return;
  }
  std::vector<MetricFamily> families;
  if (Status status = ExposedFamilies(*parsed, config.collector, families); !status.ok()) {
    Fail(verdict, "stdout: " + status.message());
    return;
  }
  verdict.families = std::move(families);
}

}  // namespace

CommandVerdict JudgeCommandRun(const CommandConfig& config, const ProcessOutcome& outcome) {
  CommandVerdict verdict;
  if (!JudgeRun(outcome, verdict)) return verdict;
  if (config.output == CommandOutput::kNagios) {
    JudgeNagios(outcome, verdict);
    return verdict;
  }
  if (outcome.exit_code != 0) {
    Fail(verdict, "exited with code " + std::to_string(outcome.exit_code));
  }
  if (config.output == CommandOutput::kJson) JudgeJson(config, outcome, verdict);
  if (config.output == CommandOutput::kPrometheus) JudgeExposition(config, outcome, verdict);
  return verdict;
}

}  // namespace opswatch
