// The README's `type: log` example runs as written: its block is read from README.md, only the
// paths moved into a temp dir, and the real binary counts the three runbook cases in files the
// test writes - JSON slow queries (with their value histogram and LogEventRate), grep-style
// errors in a text log, and logfmt slow requests - the same as grep counts them.
#define BOOST_TEST_MODULE e2e_readme_log_example
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/opswatch_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr auto kDeadline = 60s;

std::string ReadmeLogExample() {
  std::ifstream in(std::string(OPSWATCH_SOURCE_DIR) + "/README.md");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t section = text.find("#### `type: log`");
  BOOST_REQUIRE(section != std::string::npos);
  size_t start = text.find("```yaml\n", section);
  BOOST_REQUIRE(start != std::string::npos);
  start += 8;
  size_t end = text.find("```", start);
  return text.substr(start, end - start);
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  size_t found = text.find(from);
  BOOST_REQUIRE_MESSAGE(found != std::string::npos, "README example lost " << from);
  for (; found != std::string::npos; found = text.find(from, found + to.size())) {
    text.replace(found, from.size(), to);
  }
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app) << text;
}

void WaitForValue(const OpswatchProcess& ow, const std::string& series, double want) {
  auto end = std::chrono::steady_clock::now() + kDeadline;
  double got = std::nan("");
  while (std::chrono::steady_clock::now() < end) {
    got = MetricValue(ow.Get("/metrics").body, series);
    if (got == want) return;
    std::this_thread::sleep_for(50ms);
  }
  BOOST_FAIL(series << ": want " << want << ", last seen " << got);
}

// The lastEvaluation of rule group `group` in /api/v1/rules.
std::string LastEvaluation(const OpswatchProcess& ow, const std::string& group) {
  auto rules = nlohmann::json::parse(ow.Get("/api/v1/rules").body);
  for (const auto& g : rules["data"]["groups"]) {
    if (g["name"] == group) return g["lastEvaluation"].get<std::string>();
  }
  return "";
}

// Waits until `group` evaluated twice more, so its rules have seen what /metrics shows now.
void WaitForEvaluations(const OpswatchProcess& ow, const std::string& group) {
  for (int i = 0; i < 2; ++i) {
    std::string before = LastEvaluation(ow, group);
    auto end = std::chrono::steady_clock::now() + kDeadline;
    while (LastEvaluation(ow, group) == before && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(20ms);
    }
    BOOST_REQUIRE(LastEvaluation(ow, group) != before);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_three_runbook_cases_from_the_readme) {
  TempDir dir;
  std::string example = ReadmeLogExample();
  ReplaceAll(example, "/srv/ifms/logs", dir.Join("ifms"));
  ReplaceAll(example, "/var/log/archiver.log", dir.Join("archiver.log"));
  ReplaceAll(example, "/var/log/api", dir.Join("api"));
  std::string indented;
  for (size_t pos = 0; pos < example.size();) {
    size_t newline = example.find('\n', pos);
    indented += "  " + example.substr(pos, newline - pos + 1);
    pos = newline + 1;
  }
  std::string config =
      dir.Write("opswatch.yml",
                "global: {interval: 250ms, timeout: 250ms, evaluation_interval: 250ms, "
                "state_dir: " +
                    dir.Join("state") + "}\ncollectors:\n" + indented);
  fs::create_directories(dir.Join("ifms/2026/12"));
  fs::create_directories(dir.Join("api"));
  OpswatchProcess ow(config);
  for (std::string name : {"ifms-logs", "archiver-log", "api-logs"}) {
    BOOST_REQUIRE(ow.WaitForMetric(
        "opswatch_collector_up{collector=\"" + name + "\",type=\"log\"} 1", kDeadline));
  }

  // Case 1: JSON slow queries. One first, so the series exists before the burst that
  // LogEventRate (more than 10 in 5m) is about.
  const std::string events = dir.Join("ifms/2026/12/reports.ndjson");
  auto slow = [&](int i) {
    return R"({"event":"reports.slow_query","thresholdMs":2000,"totalMs":)" +
           std::to_string(2500 + i * 1000) +
           R"(,"report":"daily","endpoint":"/r","correlationId":"c)" + std::to_string(i) + "\"}\n";
  };
  Append(events, slow(0) + R"({"event":"reports.done","totalMs":30,"report":"daily"})"
                           "\n");
  WaitForValue(ow,
               "opswatch_log_events_total{collector=\"ifms-logs\",event=\"slow_query\","
               "report=\"daily\"}",
               1);
  // increase() starts from the first value the rules saw: let them see the 1 before the burst.
  WaitForEvaluations(ow, "opswatch-builtin:ifms-logs");
  std::string burst;
  for (int i = 1; i <= 12; ++i) burst += slow(i);
  Append(events, burst);
  WaitForValue(ow,
               "opswatch_log_events_total{collector=\"ifms-logs\",event=\"slow_query\","
               "report=\"daily\"}",
               13);
  std::string exposition = ow.Get("/metrics").body;
  BOOST_TEST(MetricValue(exposition,
                         "opswatch_log_event_value_count{collector=\"ifms-logs\","
                         "event=\"slow_query\"}") == 13);
  BOOST_TEST(MetricValue(exposition,
                         "opswatch_log_event_value_bucket{collector=\"ifms-logs\","
                         "event=\"slow_query\",le=\"5000\"}") == 3);

  // Case 2: grep -ciE "error|failed" over a text log, and job names as labels.
  const std::string archiver = dir.Join("archiver.log");
  Append(archiver,
         "10:00 job nightly completed\n10:01 ERROR upload failed\n10:02 Warning: slow disk\n"
         "10:03 job weekly completed\n10:04 retry failed\n10:05 job nightly completed\n");
  WaitForValue(ow, "opswatch_log_events_total{collector=\"archiver-log\",event=\"errors\"}", 2);
  CommandResult grep = RunShell("grep -ciE 'error|failed' '" + archiver + "'");
  BOOST_TEST(std::stoi(grep.out) == 2);
  WaitForValue(ow,
               "opswatch_log_events_total{collector=\"archiver-log\",event=\"job_done\","
               "job=\"nightly\"}",
               2);
  BOOST_TEST(MetricValue(ow.Get("/metrics").body,
                         "opswatch_log_events_total{collector=\"archiver-log\","
                         "event=\"warnings\"}") == 1);

  // Case 3: logfmt slow requests.
  Append(dir.Join("api/api.log"),
         "level=warn msg=\"slow request\" took_ms=2150\nlevel=warn msg=\"slow request\" "
         "took_ms=900\nlevel=info msg=\"ok\" took_ms=5000\n");
  WaitForValue(ow, "opswatch_log_events_total{collector=\"api-logs\",event=\"slow_requests\"}", 1);

  // LogEventRate holds for the burst: pending (its for: is 1m) in the alerts API.
  auto end = std::chrono::steady_clock::now() + kDeadline;
  bool pending = false;
  while (!pending && std::chrono::steady_clock::now() < end) {
    auto alerts = nlohmann::json::parse(ow.Get("/api/v1/alerts").body);
    for (const auto& alert : alerts["data"]["alerts"]) {
      pending = pending || (alert["labels"]["alertname"] == "LogEventRate" &&
                            alert["labels"]["event"] == "slow_query");
    }
    if (!pending) std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(pending, "LogEventRate for slow_query never became active; rules: "
                          << ow.Get("/api/v1/rules").body);
}
