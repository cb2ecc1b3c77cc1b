// Full evaluation round: RuleManager::Tick with 1,000 alerting rules over a snapshot of 10,000
// series (the same rule shapes and data as rules_bench), i.e. what the evaluation thread does
// every evaluation_interval: append the snapshot to the history, evaluate every rule, run the
// alert state machine, render labels and annotations for every active alert, persist the state.
// Prints CPU milliseconds per round. Target: under 10 ms.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/rules/rule_shapes.hpp"
#include "core/fake_clock.hpp"
#include "core/logger.hpp"
#include "rules/rule_manager.hpp"

namespace {

using namespace opswatch;
namespace bench = opswatch::bench;

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

SnapshotPtr MakeSnapshot(int round, SystemTime at) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->taken_at = at;
  for (int m = 0; m < bench::kMetrics; ++m) {
    MetricFamily family = Gauge(bench::Metric(m), "bench metric");
    for (int s = 0; s < bench::kSeriesPerMetric; ++s) {
      family.Add(bench::SeriesLabels(s), bench::Value(m, s, round));
    }
    snapshot->families.push_back(std::move(family));
  }
  return snapshot;
}

// Runs kRounds rounds to fill the history, then 20 measured ones.
int RunScenario(bool quiet, bool persist) {
  char dir_template[] = "/tmp/opswatch-round-bench-XXXXXX";
  const std::string state_dir = mkdtemp(dir_template);

  FakeClock clock;
  NullLogger logger;
  RuleManagerOptions options;
  options.evaluation_interval = std::chrono::seconds(15);
  options.external_labels = Labels{{"env", "bench"}};
  options.external_url = "http://opswatch.example:10490";
  if (persist) options.state_dir = state_dir;
  RuleManager manager(options, clock, logger);

  RuleGroupSpec group;
  group.name = "bench";
  group.file = "bench.yml";
  for (int i = 0; i < bench::kRules; ++i) {
    RuleSpec rule;
    rule.name = "BenchAlert" + std::to_string(i);
    rule.expr_text = bench::RuleText(i, quiet);
    auto parsed = promql::Parse(rule.expr_text);
    if (!parsed.ok()) {
      std::fprintf(stderr, "rule %d: %s\n", i, parsed.error().c_str());
      return 1;
    }
    rule.expr = *parsed;
    rule.for_duration = std::chrono::minutes(1);
    rule.labels = {{"severity", "warning"}};
    rule.annotations = {{"summary", bench::kSummary}, {"description", bench::kDescription}};
    group.rules.push_back(std::move(rule));
  }
  std::vector<RuleGroupSpec> groups;
  groups.push_back(std::move(group));
  manager.SetRules(std::move(groups));

  std::vector<double> cpu_ms;
  std::vector<double> wall_ms;
  size_t alerts = 0;
  for (int round = 0; round < bench::kRounds + 20; ++round) {
    const SystemTime now = clock.SystemNow();
    const SnapshotPtr snapshot = MakeSnapshot(round, now);
    const double start = ThreadCpuMs();
    const auto wall_start = std::chrono::steady_clock::now();
    alerts += manager.Tick(snapshot, now).size();
    if (round >= bench::kRounds) {
      cpu_ms.push_back(ThreadCpuMs() - start);
      wall_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall_start)
              .count());
    }
    clock.Advance(std::chrono::seconds(15));
  }
  std::filesystem::remove_all(state_dir);
  std::sort(cpu_ms.begin(), cpu_ms.end());
  std::sort(wall_ms.begin(), wall_ms.end());
  // The last field is what bench/rules/run.sh compares: the median wall time of a round.
  std::printf(
      "%-6s %-13s active alerts %5zu, sent %6zu: cpu ms min %7.2f median %7.2f max %7.2f"
      " | wall ms median %7.2f\n",
      quiet ? "quiet" : "storm", persist ? "state_dir" : "no state_dir", manager.Alerts().size(),
      alerts, cpu_ms.front(), cpu_ms[cpu_ms.size() / 2], cpu_ms.back(),
      wall_ms[wall_ms.size() / 2]);
  return 0;
}

}  // namespace

// Optional argument "quiet" or "storm" runs only those scenarios (e.g. under a profiler);
// "--rule-file quiet|storm" prints that scenario's rules as a Prometheus rule file instead.
int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  if (only == "--rule-file" && argc > 2) {
    std::fputs(bench::RuleFile(std::string(argv[2]) == "quiet").c_str(), stdout);
    return 0;
  }
  std::printf("RuleManager::Tick, %d rules over %d series (target < 10 ms per round)\n",
              bench::kRules, bench::kMetrics * bench::kSeriesPerMetric);
  for (bool quiet : {true, false}) {
    if (!only.empty() && only != (quiet ? "quiet" : "storm")) continue;
    for (bool persist : {true, false}) {
      if (RunScenario(quiet, persist) != 0) return 1;
    }
  }
  return 0;
}
