// The data and rules both rule benchmarks use: 100 metrics x 100 series (10,000 series), 1,000
// rules in the shapes operators write (thresholds, rates, aggregations, joins, absence, windows).
#pragma once

#include <string>

#include "core/labels.hpp"

namespace opswatch::bench {

inline constexpr int kMetrics = 100;
inline constexpr int kSeriesPerMetric = 100;
inline constexpr int kRounds = 21;  // 15 s apart: five minutes of history
inline constexpr int kRules = 1000;

inline std::string Metric(int m) { return "bench_metric_" + std::to_string(m); }

inline Labels SeriesLabels(int s) {
  return Labels{{"instance", "host-" + std::to_string(s) + ":9100"},
                {"job", "job-" + std::to_string(s % 10)}};
}

inline double Value(int m, int s, int round) { return double((s * 7 + m + round * s) % 100); }

// `quiet`: the same expressions with thresholds no series crosses, the usual state of a rule
// set (the work is the same up to the final comparison); otherwise about 18,000 alerts are
// active at once, a storm.
inline std::string RuleText(int i, bool quiet = false) {
  const std::string m = Metric(i % kMetrics);
  const std::string other = Metric((i + 1) % kMetrics);
  auto t = [quiet](const char* threshold) { return std::string(quiet ? "1e9" : threshold); };
  switch (i % 8) {
    case 0:
      return m + " > " + t("90");
    case 1:
      return "rate(" + m + "[5m]) > " + t("0.5");
    case 2:
      return "sum by (job) (" + m + ") > " + t("1000");
    case 3:
      return "avg_over_time(" + m + "[5m]) < " + (quiet ? "-1" : "10");
    case 4:
      return m + " / on(instance, job) " + other + " > " + t("2");
    case 5:
      return "absent(" + m + "{job=\"job-3\"})";
    case 6:
      return "max_over_time(" + m + "{job=~\"job-[0-4]\"}[2m]) - min_over_time(" + m +
             "{job=~\"job-[0-4]\"}[2m]) > " + t("50");
    default:
      return "increase(" + m + "[5m]) == " + (quiet ? "-1" : "0") + " and " + m + " > 0";
  }
}

// The rule text both round_bench and Prometheus (bench/rules/run.sh) evaluate.
inline constexpr const char* kSummary = "{{ $labels.instance }} of {{ $labels.job }} is off";
inline constexpr const char* kDescription = "value {{ $value | humanize }}";

inline std::string RuleFile(bool quiet) {
  std::string out = "groups:\n- name: bench\n  rules:\n";
  for (int i = 0; i < kRules; ++i) {
    std::string expr = RuleText(i, quiet);
    std::string quoted;
    for (char c : expr) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    out += "  - alert: BenchAlert" + std::to_string(i) + "\n    expr: '" + quoted +
           "'\n    for: 1m\n    labels: {severity: warning}\n    annotations:\n      summary: '" +
           kSummary + "'\n      description: '" + kDescription + "'\n";
  }
  return out;
}

}  // namespace opswatch::bench
