// The command collector in the real binary: a Nagios plugin, a JSON script, a textfile-style
// script and a hanging command side by side. /metrics passes promtool, the built-in rules fire on
// the plugin's state, secrets in env stay out of the log, and stopping opswatch while a command
// hangs leaves none of its processes behind.
#define BOOST_TEST_MODULE e2e_command_collector
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/opswatch_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Processes whose command line contains `needle` (the hanging command's unique marker).
size_t ProcessesWith(const std::string& needle) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    size_t close = text.rfind(')');
    if (close == std::string::npos || text.substr(close + 2, 1) == "Z") continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    n += cmdline.find(needle) != std::string::npos;
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(commands_publish_alert_and_leave_nothing_behind) {
  TempDir dir;
  // A sleep duration unique to this test: every process of the hanging command carries it.
  const std::string marker = "1000." + std::to_string(getpid());
  std::string config = dir.Write("opswatch.yml", R"(global:
  interval: 2s
  timeout: 1900ms
  evaluation_interval: 1s
  state_dir: )" + dir.Join("state") + R"(
collectors:
  - name: plugin-critical
    type: command
    command: [/usr/lib/nagios/plugins/check_dummy, '2', 'backup is 3 days old']
    output: nagios
  - name: disk-plugin
    type: command
    command: [/usr/lib/nagios/plugins/check_disk, -w, '1%', -c, '0%', -p, /]
    output: nagios
  - name: validate
    type: command
    command: [/bin/sh, -c, 'printf "{\"orphaned\": 0, \"archives_checked\": 7}"']
    output: json
    checks: ['orphaned == 0']
    export: [archives_checked]
  - name: textfile
    type: command
    command: [/bin/sh, -c, 'echo "backup_files 3"']
    output: prometheus
  - name: hang
    type: command
    command: [/bin/sh, -c, 'echo "token $API_TOKEN" >&2; sleep )" +
                                                     marker + " & sleep " + marker + R"(']
    env: {API_TOKEN: e2e-secret-value}
rule_files: []
builtin_rules: true
alerting: {receivers: []}
)");
  OpswatchProcess opswatch(config);
  BOOST_REQUIRE(
      opswatch.WaitForMetric("opswatch_command_timeouts_total{collector=\"hang\"} 1", 20s));
  BOOST_REQUIRE(opswatch.WaitForMetric("backup_files{collector=\"textfile\"} 3", 20s));
  std::string metrics = opswatch.Get("/metrics").body;
  BOOST_TEST(MetricValue(metrics, "opswatch_command_status{collector=\"plugin-critical\"}") == 2);
  BOOST_TEST(MetricValue(metrics, "opswatch_command_status{collector=\"hang\"}") == 2);
  BOOST_TEST(MetricValue(metrics, "opswatch_command_status{collector=\"validate\"}") == 0);
  BOOST_TEST(MetricValue(metrics,
                         "opswatch_command_json_value{collector=\"validate\","
                         "field=\"archives_checked\"}") == 7);
  BOOST_TEST(metrics.find("opswatch_command_perfdata{collector=\"disk-plugin\",label=\"/\"}") !=
             std::string::npos);
  TempDir scratch;
  std::string path = scratch.Write("metrics.txt", metrics);
  CommandResult lint = RunShell("promtool check metrics < " + path, 30s);
  BOOST_TEST(lint.exit_code == 0, lint.out << lint.err);

  auto rules = opswatch.Get("/api/v1/rules").body;
  for (const char* alert : {"CommandCritical", "CommandWarning", "CommandUnknown"}) {
    BOOST_TEST(rules.find(alert) != std::string::npos, alert);
  }
  BOOST_TEST(opswatch.process().WaitForOutput("timed out and was stopped", 20s));
  std::string log = opswatch.process().Stderr() + opswatch.process().Stdout();
  BOOST_TEST(log.find("e2e-secret-value") == std::string::npos);
  BOOST_TEST(log.find("token <secret>") != std::string::npos);

  // Stop while the hanging command is running (every run of it is): nothing of it may survive.
  auto running_by = std::chrono::steady_clock::now() + 10s;
  while (ProcessesWith(marker) == 0 && std::chrono::steady_clock::now() < running_by) {
    std::this_thread::yield();
  }
  BOOST_REQUIRE(ProcessesWith(marker) > 0);
  opswatch.process().Signal(SIGTERM);
  auto exit_code = opswatch.process().Wait(20s);
  BOOST_TEST((exit_code == std::optional<int>(0)), "opswatch's stderr:\n"
                                                       << opswatch.process().Stderr());
  auto until = std::chrono::steady_clock::now() + 5s;
  while (ProcessesWith(marker) != 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::yield();
  }
  BOOST_TEST(ProcessesWith(marker) == 0u);
}
