// End to end: the real binary follows a plain-text log and a JSON-lines log written by the test
// while it runs: files that appear after start, a logrotate-style rename + create, a copytruncate,
// and a SIGKILL with lines written before, during and after the outage. The counters end equal
// to the lines written (and to grep -c over the plain files), with nothing lost or counted twice.
#define BOOST_TEST_MODULE e2e_log_collector
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "tests/support/opswatch_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr auto kDeadline = 60s;

std::string Config(const TempDir& dir) {
  return "global:\n"
         "  interval: 250ms\n"
         "  timeout: 250ms\n"
         "  state_dir: " +
         dir.Join("state") +
         "\n"
         "builtin_rules: false\n"
         "collectors:\n"
         "  - name: plain\n"
         "    type: log\n"
         "    paths: [" +
         dir.Join("logs") +
         "/*.log]\n"
         "    events:\n"
         "      - {name: errors, regex: '(?i)error|failed'}\n"
         "  - name: json\n"
         "    type: log\n"
         "    format: json\n"
         "    paths: [" +
         dir.Join("logs") +
         "/**/*.ndjson]\n"
         "    events:\n"
         "      - name: slow_query\n"
         "        match: 'event == \"reports.slow_query\" && totalMs > 2000'\n"
         "        labels: [report]\n";
}

// The value of the first sample of `name` whose labels include every `k="v"` in `labels`.
double Sample(const std::string& exposition, const std::string& name,
              const std::vector<std::string>& labels) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with(name + "{")) continue;
    bool all = true;
    for (const std::string& label : labels) all = all && line.find(label) != std::string::npos;
    if (all) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return std::nan("");
}

// Polls /metrics until the sample equals `want`; fails the test with the last value otherwise.
void WaitForValue(const OpswatchProcess& ow, const std::string& name,
                  const std::vector<std::string>& labels, double want) {
  auto end = std::chrono::steady_clock::now() + kDeadline;
  double got = std::nan("");
  while (std::chrono::steady_clock::now() < end) {
    got = Sample(ow.Get("/metrics").body, name, labels);
    if (got == want) return;
    std::this_thread::sleep_for(50ms);
  }
  BOOST_FAIL(name << " " << labels.front() << ": want " << want << ", last seen " << got);
}

class Writer {
 public:
  explicit Writer(std::string path) : path_(std::move(path)) {}
  void Plain(int n) {
    std::ofstream out(path_, std::ios::app);
    for (int i = 0; i < n; ++i, ++written_) {
      bool error = written_ % 7 == 0;
      out << "2026-05-01T10:00:00Z " << (error ? "ERROR job " : "INFO job ") << written_
          << (error ? " failed" : " completed") << "\n";
      matched_ += error ? 1 : 0;
    }
  }
  void Json(int n) {
    std::ofstream out(path_, std::ios::app);
    for (int i = 0; i < n; ++i, ++written_) {
      bool slow = written_ % 5 == 0;
      out << R"({"event":")" << (slow ? "reports.slow_query" : "reports.done") << R"(","totalMs":)"
          << (slow ? 2500 + written_ : 10) << R"(,"report":"r)" << written_ % 3 << "\"}\n";
      matched_ += slow ? 1 : 0;
    }
  }
  int written() const { return written_; }
  int matched() const { return matched_; }  // lines the collector's event should count

 private:
  std::string path_;
  int written_ = 0;
  int matched_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_line_is_counted_once_through_rotation_truncation_and_sigkill) {
  TempDir dir;
  fs::create_directories(dir.Join("logs/2026/05"));
  std::string config = dir.Write("opswatch.yml", Config(dir));
  const std::string app = dir.Join("logs/app.log");
  const std::string events = dir.Join("logs/2026/05/events.ndjson");
  const std::string app_path = "path=\"" + app + "\"";
  const std::string events_path = "path=\"" + events + "\"";
  Writer plain(app);
  Writer json(events);
  auto ow = std::make_unique<OpswatchProcess>(config);
  // Both collectors have run once: what appears from now on is a file that appeared later.
  for (std::string name : {"plain", "json"}) {
    BOOST_REQUIRE(ow->WaitForMetric(
        "opswatch_collector_up{collector=\"" + name + "\",type=\"log\"} 1", kDeadline));
  }

  // Files that appear after start are read from their first line.
  plain.Plain(100);
  json.Json(100);
  WaitForValue(*ow, "opswatch_log_lines_total", {app_path}, 100);
  WaitForValue(*ow, "opswatch_log_lines_total", {events_path}, 100);

  // logrotate's rename + create: lines written just before the rename still count.
  plain.Plain(50);
  fs::rename(app, app + ".1");
  Writer rotated = plain;
  plain = Writer(app);
  plain.Plain(30);
  const int plain_before_rotation = rotated.written();
  const int errors_before_rotation = rotated.matched();
  WaitForValue(*ow, "opswatch_log_lines_total", {app_path}, plain_before_rotation + 30);
  WaitForValue(*ow, "opswatch_log_rotations_total", {app_path}, 1);

  // copytruncate: the copy is taken once the lines were read, then the file is emptied in place.
  json.Json(50);
  WaitForValue(*ow, "opswatch_log_lines_total", {events_path}, 150);
  fs::copy_file(events, events + ".1");
  fs::resize_file(events, 0);
  Writer json_after = Writer(events);
  json_after.Json(40);
  WaitForValue(*ow, "opswatch_log_lines_total", {events_path}, 190);
  WaitForValue(*ow, "opswatch_log_truncations_total", {events_path}, 1);

  // SIGKILL while lines are being read, lines written while it is down, then a restart.
  plain.Plain(2000);
  json_after.Json(500);
  ow->process().Signal(SIGKILL);
  ow->process().Wait(10s);
  ow.reset();
  plain.Plain(300);
  json_after.Json(60);
  ow = std::make_unique<OpswatchProcess>(config);
  const int plain_total = plain_before_rotation + plain.written();
  const int json_total = json.written() + json_after.written();
  // One more line after the totals are reached: a run after it must show exactly one more, so a
  // double count cannot hide behind the wait.
  WaitForValue(*ow, "opswatch_log_lines_total", {app_path}, plain_total);
  plain.Plain(1);
  WaitForValue(*ow, "opswatch_log_lines_total", {app_path}, plain_total + 1);
  WaitForValue(*ow, "opswatch_log_lines_total", {events_path}, json_total);

  const int errors = errors_before_rotation + plain.matched();
  WaitForValue(*ow, "opswatch_log_events_total", {"event=\"errors\""}, errors);
  CommandResult grep = RunShell("cat '" + app + ".1' '" + app + "' | grep -ciE 'error|failed'");
  BOOST_TEST(std::stoi(grep.out) == errors);
  CommandResult lines = RunShell("cat '" + app + ".1' '" + app + "' | wc -l");
  BOOST_TEST(std::stoi(lines.out) == plain_total + 1);

  std::string exposition = ow->Get("/metrics").body;
  double slow = 0;
  for (int r = 0; r < 3; ++r) {
    slow += Sample(exposition, "opswatch_log_events_total",
                   {"event=\"slow_query\"", "report=\"r" + std::to_string(r) + "\""});
  }
  BOOST_TEST(slow == json.matched() + json_after.matched());
  BOOST_TEST(std::isnan(Sample(exposition, "opswatch_log_read_errors_total", {app_path})));
  BOOST_TEST(std::isnan(Sample(exposition, "opswatch_log_read_errors_total", {events_path})));
}

// logfmt lines with a value histogram, written while the binary runs and across a restart: the
// exposition's _count, _sum and buckets equal what the test wrote, and awk agrees on the count.
BOOST_AUTO_TEST_CASE(logfmt_events_and_their_value_histogram_survive_a_restart) {
  TempDir dir;
  fs::create_directories(dir.Join("logs"));
  std::string config = dir.Write(
      "opswatch.yml", "global: {interval: 250ms, timeout: 250ms, state_dir: " + dir.Join("state") +
                          "}\n"
                          "builtin_rules: false\n"
                          "collectors:\n"
                          "  - name: api\n"
                          "    type: log\n"
                          "    format: logfmt\n"
                          "    paths: [" +
                          dir.Join("logs") +
                          "/api.log]\n"
                          "    events:\n"
                          "      - name: slow_requests\n"
                          "        match: 'level == \"warn\" && took_ms > 1000'\n"
                          "        labels: [route]\n"
                          "        value: took_ms\n"
                          "        buckets: [2000, 5000]\n");
  const std::string log = dir.Join("logs/api.log");
  int slow = 0, under_2000 = 0, sum = 0;
  auto write = [&](int from, int to) {
    std::ofstream out(log, std::ios::app);
    for (int i = from; i < to; ++i) {
      int took = 500 + (i * 379) % 6000;
      bool warn = i % 3 != 0;
      out << "ts=2026-12-03T10:00:00Z level=" << (warn ? "warn" : "info") << " route=/r" << i % 2
          << " msg=\"request done\" took_ms=" << took << "\n";
      if (warn && took > 1000) {
        ++slow;
        under_2000 += took <= 2000 ? 1 : 0;
        sum += took;
      }
    }
  };
  auto ow = std::make_unique<OpswatchProcess>(config);
  // The collector has run once (the file is not there yet), so the file is read from its start.
  BOOST_REQUIRE(
      ow->WaitForMetric("opswatch_collector_up{collector=\"api\",type=\"log\"} 1", kDeadline));
  write(0, 300);
  WaitForValue(*ow, "opswatch_log_lines_total", {"path=\"" + log + "\""}, 300);
  ow->process().Signal(SIGTERM);
  ow->process().Wait(10s);
  ow.reset();
  write(300, 450);
  ow = std::make_unique<OpswatchProcess>(config);
  WaitForValue(*ow, "opswatch_log_lines_total", {"path=\"" + log + "\""}, 450);
  WaitForValue(*ow, "opswatch_log_event_value_count", {"event=\"slow_requests\""}, slow);
  std::string exposition = ow->Get("/metrics").body;
  BOOST_TEST(Sample(exposition, "opswatch_log_event_value_sum", {"event=\"slow_requests\""}) ==
             sum);
  BOOST_TEST(Sample(exposition, "opswatch_log_event_value_bucket",
                    {"event=\"slow_requests\"", "le=\"2000\""}) == under_2000);
  double by_route = Sample(exposition, "opswatch_log_events_total", {"route=\"/r0\""}) +
                    Sample(exposition, "opswatch_log_events_total", {"route=\"/r1\""});
  BOOST_TEST(by_route == slow);
  CommandResult awk = RunShell(
      "awk '/level=warn/ { split($NF, f, \"=\"); if (f[2] > 1000) n++ } END { print n }' '" + log +
      "'");
  BOOST_TEST(std::stoi(awk.out) == slow);
}
