// opswatch -> a REAL Alertmanager (Debian's prometheus-alertmanager) -> its own webhook back to a
// recording receiver. Proves our POST /api/v2/alerts is accepted as Prometheus's is: amtool lists
// the alert, Alertmanager forwards it, and a resolve we push resolves it there too.
#define BOOST_TEST_MODULE notify_alertmanager
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "notify/dispatcher.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/recording_receiver.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch;
using namespace opswatch::notify;
using namespace std::chrono_literals;

namespace {

// Alertmanager's webhook bodies at the recording receiver that carry `status` for `alertname`.
size_t Forwarded(const testing::RecordingReceiver& receiver, const std::string& status) {
  size_t n = 0;
  for (const auto& r : receiver.Requests("/am-hook")) {
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_discarded()) continue;
    for (const auto& a : body["alerts"]) {
      if (a["labels"]["alertname"] == "OpswatchPushTest" && a["status"] == status) ++n;
    }
  }
  return n;
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

}  // namespace

BOOST_AUTO_TEST_CASE(pushed_alerts_reach_alertmanager_and_its_webhook) {
  testing::TempDir dir;
  testing::RecordingReceiver receiver;
  int port = testing::FreeLoopbackPort();
  std::string am_url = "http://127.0.0.1:" + std::to_string(port);
  std::string config = dir.Write("alertmanager.yml",
                                 "route:\n"
                                 "  receiver: recorder\n"
                                 "  group_by: [alertname]\n"
                                 "  group_wait: 0s\n"
                                 "  group_interval: 1s\n"
                                 "  repeat_interval: 1h\n"
                                 "receivers:\n"
                                 "  - name: recorder\n"
                                 "    webhook_configs:\n"
                                 "      - url: " +
                                     receiver.url("/am-hook") +
                                     "\n"
                                     "        send_resolved: true\n");
  testing::Process alertmanager(
      {"prometheus-alertmanager", "--config.file=" + config, "--storage.path=" + dir.Join("data"),
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="});
  BOOST_REQUIRE_MESSAGE(
      WaitFor([&] { return testing::HttpGet(am_url + "/-/ready").status == 200; }, 20s),
      "Alertmanager did not become ready: " << alertmanager.Stderr());

  RealClock clock;
  NullLogger logger;
  auto fs = MakePosixOutboxFs();
  auto transport = MakeCurlTransport();
  ReceiverConfig am;
  am.name = "am";
  am.type = ReceiverType::kAlertmanager;
  am.url = Secret(am_url);
  DispatcherOptions options;
  options.config.receivers = {am};
  options.config.resend_delay = 1min;
  options.outbox_dir = dir.Join("state/notifications");
  std::mt19937 rng(1);
  Dispatcher dispatcher(options, *transport, *fs, logger,
                        [&] { return std::uniform_real_distribution<double>(0, 1)(rng); });
  BOOST_REQUIRE(dispatcher.Start(clock.SystemNow()).ok());
  DispatcherThread thread(dispatcher, clock);

  Alert alert;
  alert.labels = Labels{{"alertname", "OpswatchPushTest"}, {"severity", "critical"}};
  alert.annotations = {{"summary", "pushed by opswatch"}};
  alert.state = AlertState::kFiring;
  alert.active_at = alert.fired_at = clock.SystemNow() - 1min;
  alert.generator_url = "http://opswatch:10490/";
  dispatcher.Submit({alert}, clock.SystemNow());

  BOOST_TEST_REQUIRE(WaitFor([&] { return Forwarded(receiver, "firing") >= 1; }, 20s));
  auto query = testing::RunCommand({"amtool", "alert", "query", "--alertmanager.url=" + am_url,
                                    "-o", "json", "alertname=OpswatchPushTest"},
                                   20s);
  BOOST_TEST_REQUIRE(query.exit_code == 0, query.err);
  auto listed = nlohmann::json::parse(query.out);
  BOOST_TEST_REQUIRE(listed.size() == 1u);
  BOOST_TEST(listed[0]["labels"]["severity"] == "critical");
  BOOST_TEST(listed[0]["annotations"]["summary"] == "pushed by opswatch");
  BOOST_TEST(listed[0]["generatorURL"] == "http://opswatch:10490/");
  BOOST_TEST(listed[0]["status"]["state"] == "active");

  Alert resolved = alert;
  resolved.state = AlertState::kInactive;
  resolved.resolved_at = clock.SystemNow();
  dispatcher.Submit({resolved}, clock.SystemNow());
  BOOST_TEST(WaitFor([&] { return Forwarded(receiver, "resolved") >= 1; }, 20s));
  auto after = testing::RunCommand({"amtool", "alert", "query", "--alertmanager.url=" + am_url,
                                    "-o", "json", "alertname=OpswatchPushTest"},
                                   20s);
  BOOST_TEST(after.exit_code == 0);
  BOOST_TEST(nlohmann::json::parse(after.out).size() == 0u);  // resolved alerts are not listed
  BOOST_TEST(dispatcher.GetHealth().ok);
  BOOST_TEST(dispatcher.GetHealth().queued == 0u);
}
