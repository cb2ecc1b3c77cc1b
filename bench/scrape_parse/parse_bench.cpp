// Parse cost of the exposition parser: a realistic 100,000-series exposition (request counters,
// latency histograms, gauges, as a Go service exposes them) parsed repeatedly, printed as
// samples per second and nanoseconds per sample; then hostile 10 MB inputs (one line of labels,
// one huge label value, millions of tiny lines, one huge number), each timed once to show the
// cost stays linear.
//   parse_bench [runs] [--realistic-only]      (default 20 runs)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "collectors/exposition_parser.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::string RealisticExposition(size_t series) {
  static const char* kMethods[] = {"GET", "POST", "PUT", "DELETE"};
  static const char* kBuckets[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                                   "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
  std::string out;
  out.reserve(series * 110);
  out +=
      "# HELP app_http_requests_total Requests handled.\n# TYPE app_http_requests_total counter\n";
  size_t n = 0;
  for (size_t i = 0; n < series / 4; ++i, ++n) {
    out += "app_http_requests_total{method=\"" + std::string(kMethods[i % 4]) +
           "\",path=\"/api/v1/item/" + std::to_string(i / 4) + "\",status=\"" +
           std::to_string(200 + (i % 3) * 100) + "\"} " + std::to_string(i * 7) + "\n";
  }
  out +=
      "# HELP app_http_request_duration_seconds Latency.\n"
      "# TYPE app_http_request_duration_seconds histogram\n";
  for (size_t i = 0; n < series * 9 / 10; ++i) {
    const std::string labels = "method=\"" + std::string(kMethods[i % 4]) +
                               "\",path=\"/api/v1/item/" + std::to_string(i) + "\"";
    for (const char* le : kBuckets) {
      out += "app_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " +
             std::to_string(i + 3) + "\n";
      ++n;
    }
    out += "app_http_request_duration_seconds_sum{" + labels + "} 12.5\n";
    out +=
        "app_http_request_duration_seconds_count{" + labels + "} " + std::to_string(i + 3) + "\n";
    n += 2;
  }
  out += "# HELP app_queue_depth Items queued.\n# TYPE app_queue_depth gauge\n";
  for (size_t i = 0; n < series; ++i, ++n) {
    out +=
        "app_queue_depth{queue=\"q" + std::to_string(i) + "\"} " + std::to_string(i % 97) + ".25\n";
  }
  return out;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void TimeOnce(const char* what, const std::string& input, opswatch::ExpositionFormat format) {
  const auto start = Clock::now();
  auto parsed = opswatch::ParseExposition(input, format);
  const double s = Seconds(Clock::now() - start);
  std::printf("  %-34s %6.1f MB  %8.1f ms  %s\n", what, input.size() / 1e6, s * 1e3,
              parsed.ok() ? ("ok, " + std::to_string(parsed->samples.size()) + " samples").c_str()
                          : parsed.error().substr(0, 60).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  const std::string input = RealisticExposition(100000);
  size_t samples = 0;
  double best = 1e9, total = 0;
  for (int run = 0; run < runs; ++run) {
    const auto start = Clock::now();
    auto parsed = opswatch::ParseExposition(input, opswatch::ExpositionFormat::kPrometheusText);
    const double s = Seconds(Clock::now() - start);
    if (!parsed.ok()) return std::fprintf(stderr, "%s\n", parsed.error().c_str()), 1;
    samples = parsed->samples.size();
    best = std::min(best, s);
    total += s;
  }
  std::printf("100k-series exposition: %zu samples, %.1f MB, %d runs\n", samples,
              input.size() / 1e6, runs);
  std::printf("  best %.1f ms (%.0f ns/sample, %.2f M samples/s), mean %.1f ms\n", best * 1e3,
              best * 1e9 / double(samples), double(samples) / best / 1e6, total / runs * 1e3);

  if (argc > 2 && std::string(argv[2]) == "--realistic-only") return 0;
  std::printf("hostile 10 MB inputs, parsed once each:\n");
  const size_t kTen = 10 << 20;
  std::string labels = "a{";
  for (int i = 0; labels.size() < kTen; ++i) labels += "l" + std::to_string(i) + "=\"v\",";
  labels += "} 1\n";
  TimeOnce("one line of ~1M labels", labels, opswatch::ExpositionFormat::kPrometheusText);
  TimeOnce("one 10 MB label value", "a{b=\"" + std::string(kTen, 'x') + "\"} 1\n",
           opswatch::ExpositionFormat::kPrometheusText);
  std::string tiny;
  while (tiny.size() < kTen) tiny += "a 1\n";
  TimeOnce("2.6M lines \"a 1\"", tiny, opswatch::ExpositionFormat::kPrometheusText);
  std::string names;
  for (int i = 0; names.size() < kTen; ++i) names += "m" + std::to_string(i) + " 1\n";
  TimeOnce("1M distinct untyped names", names, opswatch::ExpositionFormat::kPrometheusText);
  TimeOnce("one 10 MB number", "a 1" + std::string(kTen, '0') + "\n",
           opswatch::ExpositionFormat::kPrometheusText);
  TimeOnce("one 10 MB comment", "# " + std::string(kTen, 'c') + "\na 1\n",
           opswatch::ExpositionFormat::kPrometheusText);
  std::string help;
  for (int i = 0; help.size() < kTen; ++i) help += "# HELP h" + std::to_string(i) + " x\n";
  help += "# EOF\n";
  TimeOnce("600k HELP families (OpenMetrics)", help, opswatch::ExpositionFormat::kOpenMetrics);
  TimeOnce("10 MB line, error at the end", std::string(kTen, 'a') + " 1 x\n",
           opswatch::ExpositionFormat::kPrometheusText);
  return 0;
}
