// Delivery over real HTTP: the Dispatcher with libcurl, the POSIX outbox in a temp dir and a real
// clock, against a recording CivetWeb receiver on 127.0.0.1 that answers 503, 429 + Retry-After,
// 400, or hangs.
#define BOOST_TEST_MODULE notify_webhook
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "notify/dispatcher.hpp"
#include "tests/support/metric_lookup.hpp"
#include "tests/support/recording_receiver.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch;
using namespace opswatch::notify;
using namespace std::chrono_literals;

namespace {

ReceiverConfig Hook(const std::string& name, const std::string& url) {
  ReceiverConfig r;
  r.name = name;
  r.url = Secret(url);
  r.group_by = {"alertname"};
  r.group_wait = 0s;
  r.timeout = 2s;
  r.retry.initial = 100ms;
  r.retry.multiplier = 2;
  r.retry.jitter = 0;
  r.headers = {{"Authorization", "Bearer t0ken"}};
  return r;
}

Alert Firing(const std::string& name) {
  Alert a;
  a.labels = Labels{{"alertname", name}, {"severity", "critical"}};
  a.annotations = {{"summary", name + " is firing"}};
  a.state = AlertState::kFiring;
  a.active_at = a.fired_at = std::chrono::system_clock::now();
  a.generator_url = "http://opswatch:10490/";
  return a;
}

struct Fixture {
  RealClock clock;
  NullLogger logger;
  testing::TempDir state;
  std::unique_ptr<OutboxFs> fs = MakePosixOutboxFs();
  std::unique_ptr<HttpTransport> transport = MakeCurlTransport();
  std::mt19937 rng{42};
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<DispatcherThread> thread;

  void Start(std::vector<ReceiverConfig> receivers) {
    DispatcherOptions options;
    options.config.external_url = "http://opswatch:10490";
    options.config.receivers = std::move(receivers);
    options.outbox_dir = state.Join("notifications");
    dispatcher = std::make_unique<Dispatcher>(options, *transport, *fs, logger, [this] {
      return std::uniform_real_distribution<double>(0, 1)(rng);
    });
    BOOST_REQUIRE(dispatcher->Start(clock.SystemNow()).ok());
    thread = std::make_unique<DispatcherThread>(*dispatcher, clock);
  }
  ~Fixture() { thread.reset(); }
  size_t OutboxFiles() const {
    return testing::OutboxNotificationFiles(state.Join("notifications"));
  }
  bool WaitQueued(size_t queued, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (dispatcher->GetHealth().queued == queued) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

double Metric(const std::vector<MetricFamily>& families, const std::string& name,
              const std::string& receiver, const std::string& reason = "") {
  Labels subset{{"receiver", receiver}};
  if (!reason.empty()) subset.Set("reason", reason);
  const Sample* sample = testing::FindSample(families, name, subset);
  return sample ? sample->value : -1;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(http_503_twice_then_delivered_with_backoff_and_exact_body, Fixture) {
  testing::RecordingReceiver receiver;
  receiver.Script("/hook", {{503}, {503}});
  Start({Hook("ops", receiver.url("/hook"))});
  dispatcher->Submit({Firing("DiskSpaceLow")}, clock.SystemNow());
  BOOST_TEST_REQUIRE(receiver.WaitForSuccesses("/hook", 1, 10s));
  BOOST_TEST(WaitQueued(0, 20s));
  auto requests = receiver.Requests("/hook");
  BOOST_TEST_REQUIRE(requests.size() == 3u);
  // Backoff: 100ms then 200ms (no jitter), never closer than retry.initial.
  BOOST_TEST((requests[1].at - requests[0].at >= 100ms));
  BOOST_TEST((requests[2].at - requests[1].at >= 200ms));
  BOOST_TEST(requests[0].method == "POST");
  BOOST_TEST(requests[0].headers["content-type"] == "application/json");
  BOOST_TEST(requests[0].headers["authorization"] == "Bearer t0ken");
  auto body = nlohmann::json::parse(requests[2].body);
  BOOST_TEST(body["version"] == "4");
  BOOST_TEST(body["status"] == "firing");
  BOOST_TEST(body["receiver"] == "ops");
  BOOST_TEST(body["groupKey"] == "{}:{alertname=\"DiskSpaceLow\"}");
  BOOST_TEST(body["truncatedAlerts"] == 0);
  BOOST_TEST(body["externalURL"] == "http://opswatch:10490");
  BOOST_TEST(body["groupLabels"] == nlohmann::json({{"alertname", "DiskSpaceLow"}}));
  BOOST_TEST(body["commonLabels"]["severity"] == "critical");
  BOOST_TEST(body["commonAnnotations"]["summary"] == "DiskSpaceLow is firing");
  BOOST_TEST_REQUIRE(body["alerts"].size() == 1u);
  const auto& alert = body["alerts"][0];
  for (const char* key :
       {"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"}) {
    BOOST_TEST(alert.contains(key), key);
  }
  BOOST_TEST(alert["endsAt"] == "0001-01-01T00:00:00Z");
  BOOST_TEST(alert["fingerprint"].get<std::string>().size() == 16u);
  BOOST_TEST(OutboxFiles() == 0u);
  auto families = dispatcher->Families(clock.SystemNow());
  BOOST_TEST(Metric(families, "opswatch_notification_requests_total", "ops") == 3);
  BOOST_TEST(Metric(families, "opswatch_notification_requests_failed_total", "ops") == 2);
}

BOOST_FIXTURE_TEST_CASE(http_429_retry_after_is_honoured, Fixture) {
  testing::RecordingReceiver receiver;
  receiver.Script("/hook", {{429, "1"}});
  Start({Hook("ops", receiver.url("/hook"))});
  dispatcher->Submit({Firing("A")}, clock.SystemNow());
  BOOST_TEST_REQUIRE(receiver.WaitForSuccesses("/hook", 1, 10s));
  auto requests = receiver.Requests("/hook");
  BOOST_TEST_REQUIRE(requests.size() == 2u);
  BOOST_TEST((requests[1].at - requests[0].at >= 1s));
}

BOOST_FIXTURE_TEST_CASE(http_400_fails_at_once_and_is_counted, Fixture) {
  testing::RecordingReceiver receiver;
  receiver.Script("/hook", {{400}});
  Start({Hook("ops", receiver.url("/hook"))});
  dispatcher->Submit({Firing("A")}, clock.SystemNow());
  BOOST_TEST(WaitQueued(0, 20s));
  std::this_thread::sleep_for(300ms);  // a retry, were there one, would come after 100ms
  BOOST_TEST(receiver.Requests("/hook").size() == 1u);
  auto families = dispatcher->Families(clock.SystemNow());
  BOOST_TEST(Metric(families, "opswatch_notifications_failed_total", "ops", "clientError") == 1);
  auto health = dispatcher->GetHealth();
  BOOST_TEST(!health.ok);
  BOOST_TEST(health.last_error == "receiver ops: notification dropped: HTTP 400");
  BOOST_TEST(health.last_error.find("127.0.0.1") == std::string::npos);  // URL never shown
  BOOST_TEST(OutboxFiles() == 0u);
}

BOOST_FIXTURE_TEST_CASE(hanging_receiver_delays_nobody, Fixture) {
  testing::RecordingReceiver receiver;
  receiver.Script("/dead", {{200, "", true}});
  ReceiverConfig dead = Hook("dead", receiver.url("/dead"));
  dead.timeout = 8s;
  Start({dead, Hook("alive", receiver.url("/alive"))});
  auto submitted = std::chrono::steady_clock::now();
  dispatcher->Submit({Firing("A")}, clock.SystemNow());
  BOOST_TEST_REQUIRE(receiver.WaitForSuccesses("/alive", 1, 10s));
  auto alive = receiver.Requests("/alive");
  // The bound is the point: waiting on the dead receiver would take its 8 s timeout; 4 s leaves a
  // loaded two-core machine under ASan plenty of room.
  BOOST_TEST((alive[0].at - submitted < 4s));
  // Both deliveries run concurrently, so the dead one may reach the receiver after the alive one.
  BOOST_TEST(receiver.WaitForRequests("/dead", 1, 10s));
  BOOST_TEST(receiver.Requests("/dead").size() == 1u);
  // The receiver records before it answers: give the alive reply a moment to be processed.
  BOOST_TEST(WaitQueued(1, 20s));   // dead's notification still pending
  BOOST_TEST(OutboxFiles() == 1u);  // and durable
  // The hang ends in a timeout, which is retried and then answered.
  BOOST_TEST_REQUIRE(receiver.WaitForSuccesses("/dead", 1, 30s));
  BOOST_TEST(WaitQueued(0, 20s));
  auto families = dispatcher->Families(clock.SystemNow());
  BOOST_TEST(Metric(families, "opswatch_notification_requests_failed_total", "dead") == 1);
}

BOOST_FIXTURE_TEST_CASE(outbox_survives_a_restart_and_is_delivered, Fixture) {
  testing::RecordingReceiver receiver;
  receiver.Script("/hook", {{503}, {503}, {503}, {503}, {503}, {503}, {503}, {503}});
  ReceiverConfig hook = Hook("ops", receiver.url("/hook"));
  hook.retry.initial = 1s;
  Start({hook});
  dispatcher->Submit({Firing("A")}, clock.SystemNow());
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (receiver.Requests("/hook").empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  BOOST_TEST_REQUIRE(receiver.Requests("/hook").size() >= 1u);
  thread.reset();
  dispatcher.reset();  // as if the process died during the outage
  BOOST_TEST_REQUIRE(OutboxFiles() == 1u);
  receiver.Script("/hook", {});  // the receiver recovers
  Start({hook});
  BOOST_TEST(receiver.WaitForSuccesses("/hook", 1, 20s));
  BOOST_TEST(WaitQueued(0, 20s));
  BOOST_TEST(OutboxFiles() == 0u);
}
