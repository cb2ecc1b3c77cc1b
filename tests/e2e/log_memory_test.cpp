// Bounded cost on hostile logs, with the real binary: a 1 GB file with a 20 MB single line in
// it is read to the end with resident memory growing by less than 5 MiB (the line is cut and
// counted, never buffered whole), and 10,000 distinct values of a label stay capped at
// label_limit plus "other". Labelled "memory": the ASan pass leaves it out, since ASan's
// allocator keeps freed memory in quarantine and its RSS says nothing about ours.
#define BOOST_TEST_MODULE e2e_log_memory
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/opswatch_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr auto kDeadline = 300s;  // 1 GB through regex matching on a loaded two-core machine

// Polls /metrics until `series` (exact name and labels) equals `want`.
void WaitForValue(const OpswatchProcess& ow, const std::string& series, double want) {
  auto end = std::chrono::steady_clock::now() + kDeadline;
  double got = std::nan("");
  while (std::chrono::steady_clock::now() < end) {
    got = MetricValue(ow.Get("/metrics").body, series);
    if (got == want) return;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_FAIL(series << ": want " << want << ", last seen " << got);
}

size_t CountLines(const std::string& exposition, const std::string& prefix) {
  std::istringstream lines(exposition);
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) n += line.starts_with(prefix) ? 1 : 0;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_1gb_file_with_a_20mb_line_and_10000_label_values) {
  TempDir dir;
  fs::create_directories(dir.Join("logs"));
  const std::string log = dir.Join("logs/big.log");
  std::string config = dir.Write(
      "opswatch.yml", "global: {interval: 500ms, timeout: 500ms, state_dir: " + dir.Join("state") +
                          "}\n"
                          "builtin_rules: false\n"
                          "collectors:\n"
                          "  - name: big\n"
                          "    type: log\n"
                          "    paths: [" +
                          log +
                          "]\n"
                          "    events:\n"
                          "      - {name: errors, regex: 'ERROR'}\n"
                          "      - {name: logins, regex: 'login user=(?P<user>\\w+)', labels: "
                          "[user]}\n");
  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForMetric("opswatch_collector_up{collector=\"big\",type=\"log\"} 1", 60s));
  const std::string path_label = "{collector=\"big\",path=\"" + log + "\"}";

  // 10,000 distinct users: 100 values (the default label_limit) and "other".
  {
    std::ofstream out(log, std::ios::app);
    for (int i = 0; i < 10000; ++i) out << "login user=u" << i << "\n";
  }
  WaitForValue(ow, "opswatch_log_lines_total" + path_label, 10000);
  std::string exposition = ow.Get("/metrics").body;
  BOOST_TEST(CountLines(exposition,
                        "opswatch_log_events_total{collector=\"big\",event=\"logins\"") == 101u);
  BOOST_TEST(MetricValue(exposition,
                         "opswatch_log_events_total{collector=\"big\",event=\"logins\","
                         "user=\"other\"}") == 9900);
  BOOST_TEST(MetricValue(exposition,
                         "opswatch_log_label_overflow_total{collector=\"big\","
                         "event=\"logins\"}") == 9900);

  // 1 GiB of 128-byte lines, one in 64 an ERROR, with a 20 MB line halfway.
  const std::string plain = "2026-12-03T10:00:00Z INFO request done route=/api/v1/items " +
                            std::string(128 - 59 - 1, 'x') + "\n";
  std::string error_line = plain;
  error_line.replace(21, 5, "ERROR");
  const size_t kLines = (size_t(1) << 30) / plain.size();
  // A warm-up of the same kinds of lines first (1 MiB, a 1 MB line): RE2 builds its DFA states
  // once, within a fixed cap. The growth that counts is what the other 1023 MiB add.
  std::string chunk;
  for (int i = 0; i < 64; ++i) chunk += i == 0 ? error_line : plain;
  {
    std::ofstream out(log, std::ios::app | std::ios::binary);
    for (size_t i = 0; i < 128; ++i) out << chunk;
    out << "ERROR " << std::string(1 << 20, 'y') << "\n";
  }
  WaitForValue(ow, "opswatch_log_lines_total" + path_label, 10000 + 128 * 64 + 1);
  // The HTTP server's worker threads each touch their stack and malloc arena on first use: serve
  // enough scrapes for all of them before the baseline (the waits below scrape 10 times a second).
  for (int i = 0; i < 500; ++i) ow.Get("/metrics");
  const long baseline_kib = ProcessMemoryKiB(ow.process().pid(), "VmRSS");
  BOOST_TEST_REQUIRE(baseline_kib > 0);
  {
    std::ofstream out(log, std::ios::app | std::ios::binary);
    for (size_t i = 128; i < kLines / 64; ++i) {
      out << chunk;
      if (i == kLines / 128) out << "ERROR " << std::string(20 << 20, 'y') << "\n";
    }
  }
  const double total_lines = 10000 + double(kLines / 64 * 64) + 2;
  WaitForValue(ow, "opswatch_log_lines_total" + path_label, total_lines);
  exposition = ow.Get("/metrics").body;
  BOOST_TEST(MetricValue(exposition, "opswatch_log_lines_cut_total" + path_label) == 2);
  BOOST_TEST(
      MetricValue(exposition, "opswatch_log_events_total{collector=\"big\",event=\"errors\"}") ==
      double(kLines / 64) + 2);
  CommandResult wc = RunShell("wc -l < '" + log + "'");
  BOOST_TEST(std::stod(wc.out) == total_lines);
  const long peak_kib = ProcessMemoryKiB(ow.process().pid(), "VmHWM");
  BOOST_TEST_MESSAGE("RSS after the warm-up: " << baseline_kib << " KiB, peak after: " << peak_kib
                                               << " KiB");
  BOOST_TEST(peak_kib - baseline_kib < 5 * 1024);
}
