// End to end against a REAL Prometheus: both scrape the same three stand-in Scribe nodes (one up
// with a climbing error counter, one answering 503, one with nothing listening) and evaluate the
// Scribe runbook's rule file (README, "type: scrape"); both must report the same firing alerts
// with the same labels. The rules are the runbook's expressions, labels and annotations as
// written; only `interval` and `for` are shortened so the test takes seconds, not minutes.
#define BOOST_TEST_MODULE scrape_prometheus
#include <signal.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/http_test_server.hpp"
#include "tests/support/opswatch_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRules = R"(groups:
  - name: scribe-ledger
    interval: 1s
    rules:
      - alert: HighErrorRate
        expr: rate(scribe_errors_total[5m]) > 0.1
        for: 2s
        labels: {severity: critical}
        annotations: {summary: "High error rate", description: "Error rate: {{ $value }}/sec"}
      - alert: NodeDown
        expr: up{job="scribe-ledger"} == 0
        for: 1s
        labels: {severity: critical}
        annotations: {description: "{{ $labels.instance }} is not responding"}
      - alert: ClusterQuorumLost
        expr: count(up{job="scribe-ledger"} == 1) < 2
        for: 1s
        labels: {severity: critical}
      - alert: StorageNearFull
        expr: scribe_storage_keys_total > 900000
        for: 2s
        labels: {severity: warning}
      - alert: DroppedByRelabelling
        expr: go_goroutines > 0
        labels: {severity: info}
)";

// alertname + labels (one canonical string) -> annotations, firing alerts only. Annotations with
// $value are left out: the two engines' rates differ in the last digits (different instants).
using AlertSet = std::map<std::string, std::map<std::string, std::string>>;

bool FetchFiring(const std::string& url, AlertSet& out, std::string& error) {
  HttpResponse r = HttpGet(url, {}, 5s);
  if (r.status != 200) {
    error = "HTTP " + std::to_string(r.status) + " " + r.error;
    return false;
  }
  auto json = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json["data"]["alerts"].is_array()) {
    error = "unexpected body: " + r.body;
    return false;
  }
  out.clear();
  for (const auto& alert : json["data"]["alerts"]) {
    if (alert.value("state", "") != "firing") continue;
    std::map<std::string, std::string> labels = alert["labels"];
    std::ostringstream key;
    for (const auto& [name, value] : labels) key << name << "=" << value << ",";
    auto annotations = alert["annotations"].get<std::map<std::string, std::string>>();
    if (labels["alertname"] == "HighErrorRate") annotations.erase("description");
    out[key.str()] = annotations;
  }
  return true;
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

std::set<std::string> Alertnames(const AlertSet& set) {
  std::set<std::string> names;
  for (const auto& [key, annotations] : set) {
    names.insert(key.substr(0, key.find(',')));
  }
  return names;
}

// Node a: errors climb by 5 per scrape (each engine scrapes it once a second) and reset to 0
// every 20 scrapes (a restart: rate must not go negative), keys over the StorageNearFull threshold
// until `keys_gone` (the series then vanishes), a histogram, and go_goroutines that both engines
// relabel away.
std::string NodeA(uint64_t n, bool keys_gone) {
  return "# HELP scribe_errors_total Errors served.\n# TYPE scribe_errors_total counter\n"
         "scribe_errors_total{code=\"500\"} " +
         std::to_string(5 * (n % 20)) + "\n" +
         (keys_gone
              ? ""
              : "# TYPE scribe_storage_keys_total gauge\nscribe_storage_keys_total 912345\n") +
         "# TYPE scribe_request_duration_seconds histogram\n"
         "scribe_request_duration_seconds_bucket{le=\"0.1\"} 3\n"
         "scribe_request_duration_seconds_bucket{le=\"+Inf\"} 5\n"
         "scribe_request_duration_seconds_sum 0.9\nscribe_request_duration_seconds_count 5\n"
         "# TYPE go_goroutines gauge\ngo_goroutines 12\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(prometheus_and_opswatch_fire_the_same_scribe_alerts) {
  HttpTestServer node_a;
  HttpTestServer node_b;
  std::atomic<bool> keys_gone{false};
  node_a.SetExpositionScript([&keys_gone](uint64_t n) { return NodeA(n, keys_gone.load()); });
  node_b.SetExposition(503, "text/plain", "unavailable\n");
  const int node_c_port = FreeLoopbackPort();  // nothing listens: a killed node
  const std::string targets = "['127.0.0.1:" + std::to_string(node_a.port()) +
                              "', '127.0.0.1:" + std::to_string(node_b.port()) +
                              "', '127.0.0.1:" + std::to_string(node_c_port) + "']";
  std::string urls;
  for (int port : {node_a.port(), node_b.port(), node_c_port}) {
    urls += (urls.empty() ? "" : ", ") + std::string("'http://127.0.0.1:") + std::to_string(port) +
            "/metrics'";
  }

  TempDir dir;
  const std::string rules = dir.Write("rules/scribe.yml", kRules);
  CommandResult check = RunCommand({"promtool", "check", "rules", rules}, 30s);
  BOOST_TEST(check.exit_code == 0, "promtool check rules: " << check.out << check.err);

  const std::string config =
      dir.Write("opswatch.yml",
                "global:\n  interval: 1s\n  timeout: 900ms\n  evaluation_interval: 1s\n"
                "  state_dir: " +
                    dir.Join("state") +
                    "\ncollectors:\n  - name: scribe\n    type: scrape\n"
                    "    job: scribe-ledger\n    targets: [" +
                    urls +
                    "]\n    labels: {cluster: main}\n"
                    "    metric_relabel_configs:\n"
                    "      - {source_labels: [__name__], regex: 'go_.*', action: drop}\n"
                    "rule_files: [rules/*.yml]\nbuiltin_rules: false\n");
  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 20s));

  const int prom_port = FreeLoopbackPort();
  const std::string prom_config = dir.Write(
      "prometheus.yml",
      "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\n"
      "rule_files: ['" +
          rules +
          "']\n"
          "scrape_configs:\n"
          "  - job_name: scribe-ledger\n"
          "    static_configs: [{targets: " +
          targets +
          ", labels: {cluster: main}}]\n"
          "    metric_relabel_configs:\n"
          "      - {source_labels: [__name__], regex: 'go_.*', action: drop}\n");
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

  // Both evaluate every second on their own clocks: poll until both fire what is expected and
  // agree on every label.
  AlertSet ours, theirs;
  auto agree_on = [&](const std::set<std::string>& expected) {
    std::string our_error, their_error;
    bool agreed = false;
    for (auto end = std::chrono::steady_clock::now() + 60s;
         !agreed && std::chrono::steady_clock::now() < end;) {
      bool ok = FetchFiring(ow.Url("/api/v1/alerts"), ours, our_error) &&
                FetchFiring(prom_url + "/api/v1/alerts", theirs, their_error);
      agreed = ok && Alertnames(theirs) == expected && ours == theirs;
      if (!agreed) std::this_thread::sleep_for(200ms);
    }
    BOOST_TEST(our_error.empty(), our_error);
    BOOST_TEST(their_error.empty(), their_error);
    BOOST_TEST(agreed, "firing alerts differ\nopswatch:\n"
                           << Describe(ours) << "prometheus:\n"
                           << Describe(theirs) << "prometheus log:\n"
                           << prometheus.Stderr());
    BOOST_TEST(Alertnames(ours) == expected);
  };
  agree_on({"alertname=ClusterQuorumLost", "alertname=HighErrorRate", "alertname=NodeDown",
            "alertname=StorageNearFull"});
  // Two NodeDown (the 503 and the dead node), labelled as Prometheus labels them.
  const std::string dead = "127.0.0.1:" + std::to_string(node_c_port);
  const std::string node_down =
      "alertname=NodeDown,cluster=main,instance=" + dead + ",job=scribe-ledger,severity=critical,";
  BOOST_REQUIRE(ours.count(node_down));
  BOOST_TEST(ours[node_down]["description"] == dead + " is not responding");

  // expose: false (the default): opswatch's /metrics has the report series, not the scraped ones.
  HttpResponse metrics = ow.Get("/metrics");
  BOOST_REQUIRE(metrics.status == 200);
  BOOST_TEST(metrics.body.find(
                 "\nup{cluster=\"main\",instance=\"127.0.0.1:" + std::to_string(node_a.port()) +
                 "\",job=\"scribe-ledger\"} 1") != std::string::npos,
             metrics.body);
  BOOST_TEST(metrics.body.find("scribe_errors_total") == std::string::npos);

  // Node b recovers (quorum is back, its NodeDown resolves) and node a's keys series vanishes
  // (stale in both: StorageNearFull resolves); the counter keeps resetting underneath.
  node_b.SetExposition(200, "text/plain", "scribe_storage_keys_total 10\n");
  keys_gone = true;
  agree_on({"alertname=HighErrorRate", "alertname=NodeDown"});
  BOOST_TEST(ours.size() == 2u, Describe(ours));

  prometheus.Signal(SIGTERM);
  prometheus.Wait(10s);
}
