// End to end: reloads (SIGHUP and POST /-/reload, alternating between two configs) while clients
// scrape every endpoint, an http target flaps between healthy and failing, and the webhook
// receiver answers 503 half the time. Every request must be answered, every reload applied, and
// the process must stay up. Under ThreadSanitizer (scripts/test.sh's tsan pass) a data race in
// the scheduler, snapshot store, rule manager, dispatcher or server aborts the binary, and this
// test fails.
#define BOOST_TEST_MODULE reload_under_load
#include <signal.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/http_test_server.hpp"
#include "tests/support/opswatch_process.hpp"
#include "tests/support/recording_receiver.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

std::string Config(const TempDir& dir, const HttpTestServer& target,
                   const RecordingReceiver& receiver, const std::string& interval) {
  return "global: {interval: " + interval + ", timeout: 150ms, evaluation_interval: " + interval +
         ", state_dir: " + dir.Join("state") +
         "}\n"
         "collectors:\n"
         "  - {name: d, type: disk, paths: [/]}\n"
         "  - name: app\n"
         "    type: http\n"
         "    url: " +
         target.base_url() +
         "/health\n"
         "    checks: ['ok == true']\n"
         "rule_files: [rules/*.yml]\n"
         "alerting:\n"
         "  receivers:\n"
         "    - {name: hook, type: webhook, url: '" +
         receiver.url("/hook") +
         "', group_wait: 0s, group_interval: 1s, timeout: 2s,\n"
         "       retry: {initial: 50ms, max_interval: 200ms}}\n";
}

constexpr const char* kRules =
    "groups:\n"
    "  - name: g\n"
    "    rules:\n"
    "      - alert: AppCheckFailing\n"
    "        expr: opswatch_http_check_ok == 0\n"
    "      - record: up:ratio\n"
    "        expr: avg(opswatch_collector_up)\n";

// Counts of "configuration reloaded" log lines.
size_t Reloads(OpswatchProcess& ow) {
  const std::string log = ow.process().Stderr();
  size_t n = 0;
  for (size_t at = log.find("configuration reloaded"); at != std::string::npos;
       at = log.find("configuration reloaded", at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reloads_under_scrape_load_with_flapping_target_and_receiver) {
  TempDir dir;
  HttpTestServer target;
  RecordingReceiver receiver;
  std::vector<ScriptedResponse> flaky;
  for (int i = 0; i < 1000; ++i) flaky.emplace_back(i % 2 ? 200 : 503);
  receiver.Script("/hook", flaky);
  dir.Write("rules/g.yml", kRules);
  const std::string config_a = Config(dir, target, receiver, "200ms");
  const std::string config_b = Config(dir, target, receiver, "300ms");
  const std::string path = dir.Write("opswatch.yml", config_a);
  OpswatchProcess ow(path, {"--web.enable-lifecycle"});
  BOOST_TEST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 60s));

  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::atomic<int> unanswered{0};
  std::vector<std::thread> scrapers;
  for (const char* endpoint : {"/metrics", "/health", "/api/v1/rules", "/api/v1/alerts", "/"}) {
    scrapers.emplace_back([&, endpoint] {
      while (!stop) {
        HttpResponse r = HttpGet(ow.Url(endpoint), {}, 30s);
        (r.status == 200 || r.status == 503 ? answered : unanswered) += 1;
      }
    });
  }
  std::thread flapper([&] {
    for (int i = 0; !stop; ++i) {
      target.SetHealth(200, i % 2 ? R"({"ok":true})" : R"({"ok":false})");
      std::this_thread::sleep_for(150ms);
    }
  });

  constexpr int kReloads = 20;
  for (int i = 1; i <= kReloads; ++i) {
    dir.Write("opswatch.yml", i % 2 ? config_b : config_a);
    if (i % 2) {
      ow.process().Signal(SIGHUP);
    } else {
      HttpResponse r = HttpPost(ow.Url("/-/reload"), "", {}, 60s);
      BOOST_TEST(r.status == 200, "POST /-/reload answered " << r.status << ": " << r.body);
    }
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (Reloads(ow) < static_cast<size_t>(i) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    BOOST_TEST_REQUIRE(Reloads(ow) == static_cast<size_t>(i), "reload " << i << " not applied");
    BOOST_TEST_REQUIRE(ow.process().Running());
  }
  stop = true;
  for (auto& t : scrapers) t.join();
  flapper.join();

  BOOST_TEST_MESSAGE("requests answered during " << kReloads << " reloads: " << answered);
  BOOST_TEST(unanswered == 0);
  BOOST_TEST(answered > 0);
  BOOST_TEST(ow.process().Running());
  BOOST_TEST(MetricValue(ow.Get("/metrics").body, "opswatch_config_last_reload_successful") == 1);
  ow.process().Signal(SIGTERM);
  auto status = ow.process().Wait(30s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(*status == 0, ow.process().Stderr());
}
