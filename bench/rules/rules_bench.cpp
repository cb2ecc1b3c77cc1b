// Evaluation-time benchmark: 1,000 rules over 10,000 series (100 metrics x 100 series, five
// minutes of 15s history). Prints milliseconds per evaluation round. Target: under 10 ms.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "rules/promql_eval.hpp"

namespace {

using opswatch::Labels;
using opswatch::Series;
using opswatch::SeriesHistory;
using opswatch::SystemTime;
namespace promql = opswatch::promql;

constexpr int kMetrics = 100;
constexpr int kSeriesPerMetric = 100;
constexpr int kRounds = 21;
constexpr int kRules = 1000;

std::string Metric(int m) { return "bench_metric_" + std::to_string(m); }

// Rule shapes an operator writes: thresholds, rates, aggregations, joins, absence, windows.
std::string RuleText(int i) {
  const std::string m = Metric(i % kMetrics);
  const std::string other = Metric((i + 1) % kMetrics);
  switch (i % 8) {
    case 0:
      return m + " > 90";
    case 1:
      return "rate(" + m + "[5m]) > 0.5";
    case 2:
      return "sum by (job) (" + m + ") > 1000";
    case 3:
      return "avg_over_time(" + m + "[5m]) < 10";
    case 4:
      return m + " / on(instance, job) " + other + " > 2";
    case 5:
      return "absent(" + m + "{job=\"job-3\"})";
    case 6:
      return "max_over_time(" + m + "{job=~\"job-[0-4]\"}[2m]) - min_over_time(" + m +
             "{job=~\"job-[0-4]\"}[2m]) > 50";
    default:
      return "increase(" + m + "[5m]) == 0 and " + m + " > 0";
  }
}

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
        Labels labels{{"instance", "host-" + std::to_string(s) + ":9100"},
                      {"job", "job-" + std::to_string(s % 10)}};
        round.push_back(Series{Metric(m), std::move(labels), double((s * 7 + m + r * s) % 100)});
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
  for (int round = 0; round < 20; ++round) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuMs();
    outputs = 0;
    for (const auto& rule : rules) {
      auto value = promql::Evaluate(*rule, history, now);
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
