// End to end against a REAL Prometheus: it scrapes opswatch and evaluates the very rule file
// opswatch loads; both must report the same firing alerts with the same labels and annotations.
// promtool must accept the rule file and opswatch's --print-rules output.
#define BOOST_TEST_MODULE prometheus_rules
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/opswatch_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

// Shared by both engines. $labels and $value in labels and annotations; a `for`; one that never
// fires. No $value where the value moves between evaluations (free disk space).
constexpr const char* kRules = R"(groups:
  - name: compat
    interval: 1s
    rules:
      - alert: CollectorUp
        expr: opswatch_collector_up == 1
        labels:
          severity: info
          source: 'collector-{{ $labels.collector }}'
        annotations:
          summary: 'Collector {{ $labels.collector }} of type {{ $labels.type }} is up'
          description: 'value={{ $value }} printf={{ printf "%.2f" $value }}'
      - alert: DiskRatioBelowTwo
        expr: opswatch_disk_avail_bytes / opswatch_disk_size_bytes < 2
        labels:
          severity: warning
          where: '{{ $labels.mountpoint }}'
        annotations:
          summary: 'Disk {{ $labels.path }} on {{ $labels.device }} ({{ $labels.fstype }})'
      - alert: DiskSizeKnownFor2s
        expr: opswatch_disk_size_bytes > 0
        for: 2s
        labels:
          severity: critical
        annotations:
          summary: 'Disk {{ $labels.path }} has a size'
      - alert: NeverFires
        expr: opswatch_collector_up == 5
        labels:
          severity: critical
        annotations:
          summary: 'impossible'
)";

// alertname + labels (as one canonical string) -> annotations, for firing alerts only.
using AlertSet = std::map<std::string, std::map<std::string, std::string>>;

struct Alerts {
  bool ok = false;
  std::string error;
  AlertSet firing;
};

Alerts FetchAlerts(const std::string& url) {
  Alerts out;
  HttpResponse r = HttpGet(url, {}, 5s);
  if (r.status != 200) {
    out.error = "HTTP " + std::to_string(r.status) + " " + r.error;
    return out;
  }
  auto json = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || json.value("status", "") != "success" ||
      !json["data"]["alerts"].is_array()) {
    out.error = "unexpected body: " + r.body;
    return out;
  }
  for (const auto& alert : json["data"]["alerts"]) {
    if (alert.value("state", "") != "firing") continue;
    std::map<std::string, std::string> labels = alert["labels"];
    std::ostringstream key;
    for (const auto& [name, value] : labels) key << name << "=" << value << ",";
    out.firing[key.str()] = alert["annotations"].get<std::map<std::string, std::string>>();
  }
  out.ok = true;
  return out;
}

std::string Describe(const AlertSet& set) {
  std::ostringstream s;
  for (const auto& [key, annotations] : set) {
    s << "  {" << key << "}";
    for (const auto& [name, value] : annotations) s << " " << name << "=\"" << value << "\"";
    s << "\n";
  }
  return s.str();
}

std::set<std::string> Keys(const AlertSet& set) {
  std::set<std::string> keys;
  for (const auto& entry : set) keys.insert(entry.first);
  return keys;
}

size_t CountAlertname(const AlertSet& set, const std::string& name) {
  size_t n = 0;
  for (const auto& entry : set) n += entry.first.find("alertname=" + name + ",") == 0 ? 1 : 0;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(prometheus_and_opswatch_fire_the_same_alerts) {
  TempDir dir;
  const std::string rules = dir.Write("rules/compat.yml", kRules);
  const std::string config =
      dir.Write("opswatch.yml",
                "global:\n  interval: 1s\n  timeout: 500ms\n  evaluation_interval: 1s\n"
                "  state_dir: " +
                    dir.Join("state") +
                    "\ncollectors:\n  - name: d\n    type: disk\n    paths: [/]\n"
                    "rule_files: [rules/*.yml]\nbuiltin_rules: false\n");

  // promtool accepts the shared file and opswatch's effective rules.
  CommandResult check = RunCommand({"promtool", "check", "rules", rules}, 30s);
  BOOST_TEST(check.exit_code == 0, "promtool check rules: " << check.out << check.err);
  CommandResult printed =
      RunCommand({OPSWATCH_BINARY, "--config.file=" + config, "--print-rules"}, 30s);
  BOOST_REQUIRE_MESSAGE(printed.exit_code == 0, "--print-rules: " << printed.err);
  BOOST_TEST(printed.out.find("DiskSizeKnownFor2s") != std::string::npos);
  const std::string printed_file = dir.Write("printed-rules.yml", printed.out);
  CommandResult check_printed = RunCommand({"promtool", "check", "rules", printed_file}, 30s);
  BOOST_TEST(check_printed.exit_code == 0,
             "promtool on --print-rules: " << check_printed.out << check_printed.err
                                           << "\n--print-rules output:\n"
                                           << printed.out);

  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 20s));

  // The scrape's target labels are dropped so both engines see identical series.
  const int prom_port = FreeLoopbackPort();
  const std::string prom_config =
      dir.Write("prometheus.yml",
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                "rule_files: ['" +
                    rules +
                    "']\n"
                    "scrape_configs:\n"
                    "  - job_name: opswatch\n"
                    "    static_configs: [{targets: ['127.0.0.1:" +
                    std::to_string(ow.port()) +
                    "']}]\n"
                    "    metric_relabel_configs:\n"
                    "      - {action: labeldrop, regex: 'instance|job'}\n");
  Process prometheus({"prometheus", "--config.file=" + prom_config,
                      "--storage.tsdb.path=" + dir.Join("tsdb"),
                      "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)});
  const std::string prom_url = "http://127.0.0.1:" + std::to_string(prom_port);
  bool ready = false;
  for (auto end = std::chrono::steady_clock::now() + 30s;
       !ready && std::chrono::steady_clock::now() < end && prometheus.Running();) {
    ready = HttpGet(prom_url + "/-/ready", {}, 2s).status == 200;
    if (!ready) std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE_MESSAGE(ready, "prometheus did not become ready; log:\n" << prometheus.Stderr());

  // Both evaluate every second on their own clocks; wait until they agree and the `for` alert
  // has fired in both.
  Alerts ours, theirs;
  bool agreed = false;
  const auto started = std::chrono::steady_clock::now();
  for (auto end = started + 40s; std::chrono::steady_clock::now() < end;) {
    ours = FetchAlerts(ow.Url("/api/v1/alerts"));
    theirs = FetchAlerts(prom_url + "/api/v1/alerts");
    if (ours.ok && theirs.ok && CountAlertname(theirs.firing, "DiskSizeKnownFor2s") > 0 &&
        Keys(ours.firing) == Keys(theirs.firing)) {
      agreed = true;
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  BOOST_TEST_MESSAGE("agreement after " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::steady_clock::now() - started)
                                               .count()
                                        << " ms");
  BOOST_REQUIRE_MESSAGE(ours.ok, "opswatch /api/v1/alerts: " << ours.error);
  BOOST_REQUIRE_MESSAGE(theirs.ok, "prometheus /api/v1/alerts: " << theirs.error);
  BOOST_TEST(agreed, "firing sets differ\nopswatch:\n"
                         << Describe(ours.firing) << "prometheus:\n"
                         << Describe(theirs.firing) << "prometheus log:\n"
                         << prometheus.Stderr());
  BOOST_TEST(Keys(ours.firing) == Keys(theirs.firing));
  BOOST_TEST(CountAlertname(ours.firing, "CollectorUp") == 1u);
  BOOST_TEST(CountAlertname(ours.firing, "DiskRatioBelowTwo") == 1u);
  BOOST_TEST(CountAlertname(ours.firing, "DiskSizeKnownFor2s") == 1u);
  BOOST_TEST(CountAlertname(ours.firing, "NeverFires") == 0u);
  BOOST_TEST(CountAlertname(theirs.firing, "NeverFires") == 0u);
  for (const auto& [key, annotations] : ours.firing) {
    BOOST_TEST(key.find("instance=") == std::string::npos);
    auto it = theirs.firing.find(key);
    if (it == theirs.firing.end()) continue;  // reported above
    BOOST_TEST((annotations == it->second), "annotations differ for {" << key << "}");
    for (const auto& [name, value] : annotations) {
      BOOST_TEST(value == it->second[name], key << " annotation " << name);
    }
  }
  // The templated label really was expanded (same in both, so compared above too).
  BOOST_TEST(Describe(ours.firing).find("source=collector-d,") != std::string::npos,
             Describe(ours.firing));

  prometheus.Signal(SIGTERM);
  prometheus.Wait(10s);
}
