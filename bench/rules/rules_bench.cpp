// PromQL evaluation time: 1,000 rules over 10,000 series (100 metrics x 100 series, five
// minutes of 15s history), the evaluator alone. Prints milliseconds per round of all rules.
// round_bench measures the whole RuleManager round around it. Target: under 10 ms.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "bench/rules/rule_shapes.hpp"
#include "rules/promql/promql_eval.hpp"

namespace {

using opswatch::Labels;
using opswatch::Series;
using opswatch::SeriesHistory;
using opswatch::SystemTime;
namespace promql = opswatch::promql;

using namespace opswatch::bench;

// CPU time of this thread: on a shared, loaded machine wall time mostly measures the scheduler.
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

int main() {
  SeriesHistory history(std::chrono::minutes(5));
  const SystemTime t0 = SystemTime(std::chrono::seconds(1700000000));
  for (int r = 0; r < kRounds; ++r) {
    std::vector<Series> round;
    round.reserve(kMetrics * kSeriesPerMetric);
    for (int m = 0; m < kMetrics; ++m) {
      for (int s = 0; s < kSeriesPerMetric; ++s) {
        round.push_back(Series{Metric(m), SeriesLabels(s), Value(m, s, r)});
      }
    }
    history.Append(t0 + std::chrono::seconds(15 * r), round);
  }

  std::vector<promql::ExprPtr> rules;
  for (int i = 0; i < kRules; ++i) {
    auto parsed = promql::Parse(RuleText(i));
    if (!parsed.ok()) {
      std::fprintf(stderr, "rule %d: %s\n", i, parsed.error().c_str());
      return 1;
    }
    rules.push_back(*parsed);
  }

  const SystemTime now = t0 + std::chrono::seconds(15 * (kRounds - 1) + 5);
  std::vector<double> round_ms;
  std::vector<double> cpu_ms;
  size_t outputs = 0;
  promql::SelectionCache cache;  // as the rule manager keeps one beside its history
  for (int round = 0; round < 20; ++round) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuMs();
    outputs = 0;
    for (const auto& rule : rules) {
      auto value = promql::Evaluate(*rule, history, now, &cache);
      if (!value.ok()) {
        std::fprintf(stderr, "evaluation failed: %s\n", value.error().c_str());
        return 1;
      }
      outputs += value->vector.size();
    }
    cpu_ms.push_back(ThreadCpuMs() - cpu_start);
    round_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(round_ms.begin(), round_ms.end());
  std::sort(cpu_ms.begin(), cpu_ms.end());
  std::printf("series=%zu samples=%zu history_bytes=%zu rules=%d outputs/round=%zu\n",
              history.series_count(), history.sample_count(), history.bytes_estimate(), kRules,
              outputs);
  std::printf("wall ms per round: min %.2f median %.2f max %.2f (target < 10)\n", round_ms.front(),
              round_ms[round_ms.size() / 2], round_ms.back());
  std::printf("cpu ms per round:  min %.2f median %.2f max %.2f\n", cpu_ms.front(),
              cpu_ms[cpu_ms.size() / 2], cpu_ms.back());
  return 0;
}
