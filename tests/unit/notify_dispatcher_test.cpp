// The Dispatcher end to end with a fake transport, a fake outbox filesystem and a FakeClock:
// retry timing, give-up on 4xx, outbox write/remove/replay/collapse, ENOSPC, metrics and health.
// Also the real POSIX outbox against a temp dir.
#define BOOST_TEST_MODULE notify_dispatcher
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/fake_clock.hpp"
#include "core/time_format.hpp"
#include "notify/dispatcher.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch;
using namespace opswatch::notify;
using namespace std::chrono_literals;

namespace {

class FakeTransport final : public HttpTransport {
 public:
  struct Started {
    uint64_t id;
    HttpRequest request;
  };
  void Start(uint64_t id, HttpRequest request) override {
    started.push_back({id, std::move(request)});
    pending.push_back(started.back());
  }
  std::vector<std::pair<uint64_t, AttemptOutcome>> Poll() override {
    return std::exchange(finished, {});
  }
  void Wait(Duration) override {}
  void Wakeup() override {}
  size_t in_flight() const override { return pending.size(); }

  // Answers the oldest pending request.
  void Answer(long status, std::string retry_after = "") {
    BOOST_TEST_REQUIRE(!pending.empty());
    AttemptOutcome o;
    o.status = status;
    o.retry_after = std::move(retry_after);
    o.elapsed = 20ms;
    finished.emplace_back(pending.front().id, o);
    pending.erase(pending.begin());
  }

  std::vector<Started> started;
  std::vector<Started> pending;
  std::vector<std::pair<uint64_t, AttemptOutcome>> finished;
};

class FakeFs final : public OutboxFs {
 public:
  Status EnsureDir(const std::string&) override { return fail_with; }
  Status WriteAtomic(const std::string&,
                     const std::vector<std::pair<std::string, std::string>>& batch) override {
    ++syncs;
    if (!fail_with.ok()) return fail_with;
    for (const auto& [name, content] : batch) {
      (name == kNotificationLogFile ? log_file : files[name]) = content;
    }
    return Status::Ok();
  }
  Status Remove(const std::string&, const std::string& name) override {
    if (!fail_with.ok()) return fail_with;
    files.erase(name);
    return Status::Ok();
  }
  Result<std::string> Read(const std::string&, const std::string& name) override {
    if (name == kNotificationLogFile) return log_file;
    auto it = files.find(name);
    return it == files.end() ? std::string() : it->second;
  }
  Result<OutboxEntries> ReadAll(const std::string&) override {
    return OutboxEntries(files.begin(), files.end());
  }
  std::map<std::string, std::string> files;  // the notifications
  std::string log_file;                      // kNotificationLogFile
  Status fail_with;
  int syncs = 0;
};

ReceiverConfig Hook(std::string name = "ops") {
  ReceiverConfig r;
  r.name = std::move(name);
  r.url = Secret("http://127.0.0.1:9/secret-token");
  r.group_by = {"alertname"};
  r.group_wait = 0s;
  r.group_interval = 1min;
  r.repeat_interval = 4h;
  return r;
}

Alert Firing(const std::string& name, SystemTime at) {
  Alert a;
  a.labels = Labels{{"alertname", name}};
  a.state = AlertState::kFiring;
  a.active_at = at;
  a.fired_at = at;
  return a;
}

struct Fixture {
  FakeClock clock;
  FakeTransport transport;
  FakeFs fs;
  NullLogger logger;
  double random = 0.5;

  std::unique_ptr<Dispatcher> Make(std::vector<ReceiverConfig> receivers) {
    DispatcherOptions options;
    options.config.receivers = std::move(receivers);
    options.config.external_url = "http://opswatch:10490";
    options.outbox_dir = "/state/notifications";
    auto d =
        std::make_unique<Dispatcher>(options, transport, fs, logger, [this] { return random; });
    BOOST_TEST(d->Start(clock.SystemNow()).ok());
    return d;
  }
  void Step(Dispatcher& d, Duration by) {
    clock.Advance(by);
    d.Tick(clock.SystemNow());
  }
};

double Value(const std::vector<MetricFamily>& families, const std::string& name,
             const std::string& reason = "") {
  for (const auto& f : families) {
    if (f.name != name) continue;
    for (const auto& s : f.samples) {
      if (reason.empty() || s.labels.Get("reason") == reason) return s.value;
    }
  }
  return -1;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(retries_503_with_backoff_then_delivers_and_clears_outbox, Fixture) {
  auto d = Make({Hook()});
  d->Submit({Firing("A", clock.SystemNow())}, clock.SystemNow());
  d->Tick(clock.SystemNow());
  BOOST_TEST_REQUIRE(transport.started.size() == 1u);
  BOOST_TEST(fs.files.size() == 1u);  // written before the first attempt
  BOOST_TEST(fs.syncs == 1);
  BOOST_TEST(transport.started[0].request.url.Reveal() == "http://127.0.0.1:9/secret-token");
  auto body = nlohmann::json::parse(transport.started[0].request.body);
  BOOST_TEST(body["version"] == "4");
  BOOST_TEST(body["groupKey"] == "{}:{alertname=\"A\"}");

  // 503, 503: retried after 500ms, then 750ms (jitter centred), never earlier.
  transport.Answer(503);
  Step(*d, 0ms);
  Step(*d, 499ms);
  BOOST_TEST(transport.started.size() == 1u);
  Step(*d, 1ms);
  BOOST_TEST(transport.started.size() == 2u);
  transport.Answer(503);
  Step(*d, 0ms);
  Step(*d, 749ms);
  BOOST_TEST(transport.started.size() == 2u);
  Step(*d, 1ms);
  BOOST_TEST(transport.started.size() == 3u);
  BOOST_TEST(!d->GetHealth().ok);
  BOOST_TEST(d->GetHealth().last_error == "receiver ops: HTTP 503 (will retry)");
  BOOST_TEST(d->GetHealth().queued == 1u);

  transport.Answer(200);
  Step(*d, 0ms);
  BOOST_TEST(fs.files.empty());  // removed only after the 2xx
  BOOST_TEST(d->GetHealth().ok);
  BOOST_TEST(d->GetHealth().queued == 0u);
  auto families = d->Families(clock.SystemNow());
  BOOST_TEST(Value(families, "opswatch_notifications_total") == 1);
  BOOST_TEST(Value(families, "opswatch_notification_requests_total") == 3);
  BOOST_TEST(Value(families, "opswatch_notification_requests_failed_total") == 2);
  BOOST_TEST(Value(families, "opswatch_notification_queue_length") == 0);
  for (const auto& f : families) {
    if (f.name != "opswatch_notification_latency_seconds") continue;
    BOOST_TEST((f.type == MetricType::kHistogram));
    BOOST_TEST(f.samples.at(0).histogram->count == 3u);
  }
}

BOOST_FIXTURE_TEST_CASE(retry_after_on_429_is_honoured, Fixture) {
  auto d = Make({Hook()});
  d->Submit({Firing("A", clock.SystemNow())}, clock.SystemNow());
  d->Tick(clock.SystemNow());
  transport.Answer(429, "5");
  Step(*d, 0ms);
  Step(*d, 4999ms);
  BOOST_TEST(transport.started.size() == 1u);
  Step(*d, 1ms);
  BOOST_TEST(transport.started.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(client_error_fails_at_once_with_reason, Fixture) {
  auto d = Make({Hook()});
  d->Submit({Firing("A", clock.SystemNow())}, clock.SystemNow());
  d->Tick(clock.SystemNow());
  transport.Answer(400);
  Step(*d, 0ms);
  Step(*d, 1h);
  BOOST_TEST(transport.started.size() == 1u);
  BOOST_TEST(fs.files.empty());
  auto families = d->Families(clock.SystemNow());
  BOOST_TEST(Value(families, "opswatch_notifications_failed_total", "clientError") == 1);
  BOOST_TEST(Value(families, "opswatch_notifications_failed_total", "serverError") == 0);
  BOOST_TEST(d->GetHealth().last_error == "receiver ops: notification dropped: HTTP 400");
}

BOOST_FIXTURE_TEST_CASE(gives_up_after_max_elapsed, Fixture) {
  ReceiverConfig r = Hook();
  r.retry.max_elapsed = 3s;
  auto d = Make({r});
  d->Submit({Firing("A", clock.SystemNow())}, clock.SystemNow());
  d->Tick(clock.SystemNow());
  for (int i = 0; i < 20 && !transport.pending.empty(); ++i) {
    transport.Answer(500);
    Step(*d, 0ms);
    Step(*d, 2s);
  }
  auto families = d->Families(clock.SystemNow());
  BOOST_TEST(Value(families, "opswatch_notifications_failed_total", "expired") == 1);
  BOOST_TEST(transport.started.size() <= 3u);
  BOOST_TEST(fs.files.empty());
}

BOOST_FIXTURE_TEST_CASE(dead_receiver_does_not_hold_up_another, Fixture) {
  auto d = Make({Hook("dead"), Hook("alive")});
  d->Submit({Firing("A", clock.SystemNow())}, clock.SystemNow());
  d->Tick(clock.SystemNow());
  BOOST_TEST_REQUIRE(transport.started.size() == 2u);
  // Answer only the second ("alive"); the first hangs.
  AttemptOutcome ok;
  ok.status = 200;
  transport.finished.emplace_back(transport.started[1].id, ok);
  Step(*d, 0ms);
  auto families = d->Families(clock.SystemNow());
  for (const auto& f : families) {
    if (f.name != "opswatch_notification_queue_length") continue;
    for (const auto& s : f.samples) {
      BOOST_TEST(s.value == (s.labels.Get("receiver") == "dead" ? 1 : 0));
    }
  }
}

BOOST_FIXTURE_TEST_CASE(superseded_state_collapses_to_latest, Fixture) {
  auto d = Make({Hook()});
  SystemTime t0 = clock.SystemNow();
  Alert a = Firing("A", t0);
  d->Submit({a}, t0);
  d->Tick(t0);
  transport.Answer(503);  // firing notification now waits for a retry
  Step(*d, 0ms);
  Alert resolved = a;
  resolved.state = AlertState::kInactive;
  resolved.resolved_at = t0 + 10s;
  Step(*d, 10s);  // retry of the firing state goes out (in flight)
  d->Submit({resolved}, clock.SystemNow());
  Step(*d, 60s);  // group_interval: the resolved state is queued while the firing one is in flight
  BOOST_TEST(fs.files.size() == 1u);  // one file per group: the latest state
  auto stored = DecodeNotification(fs.files.begin()->second);
  BOOST_TEST_REQUIRE(stored.ok());
  BOOST_TEST(nlohmann::json::parse(stored->body)["status"] == "resolved");
  // The in-flight firing attempt fails: it is dropped, not retried, since a newer state exists.
  size_t before = transport.started.size();
  transport.Answer(503);
  Step(*d, 0ms);
  BOOST_TEST(transport.started.size() == before + 1);  // the resolved one starts now
  auto last = nlohmann::json::parse(transport.started.back().request.body);
  BOOST_TEST(last["status"] == "resolved");
  transport.Answer(200);
  Step(*d, 0ms);
  Step(*d, 1h);
  BOOST_TEST(transport.started.size() == before + 1);
  BOOST_TEST(fs.files.empty());
}

BOOST_FIXTURE_TEST_CASE(outbox_is_replayed_on_start, Fixture) {
  {
    auto d = Make({Hook()});
    d->Submit({Firing("A", clock.SystemNow())}, clock.SystemNow());
    d->Tick(clock.SystemNow());
    BOOST_TEST(fs.files.size() == 1u);
    // "Crash": the request never completes, the dispatcher goes away.
  }
  transport.pending.clear();
  transport.started.clear();
  auto d = Make({Hook()});
  BOOST_TEST(d->GetHealth().queued == 1u);
  d->Tick(clock.SystemNow());
  BOOST_TEST_REQUIRE(transport.started.size() == 1u);
  BOOST_TEST(nlohmann::json::parse(transport.started[0].request.body)["status"] == "firing");
  transport.Answer(200);
  Step(*d, 0ms);
  BOOST_TEST(fs.files.empty());

  // A file for a receiver that no longer exists is dropped, not kept forever.
  Notification orphan;
  orphan.receiver = "gone";
  orphan.key = "k";
  orphan.seq = 99;
  fs.files[OutboxFileName("gone", "k")] = EncodeNotification(orphan);
  auto d2 = Make({Hook()});
  BOOST_TEST(fs.files.empty());
  BOOST_TEST(d2->GetHealth().queued == 0u);
}

BOOST_FIXTURE_TEST_CASE(enospc_is_reported_and_delivery_goes_on_from_memory, Fixture) {
  fs.fail_with = Status::Error("cannot write /state/notifications: No space left on device");
  auto d = Make({Hook()});
  d->Submit({Firing("A", clock.SystemNow())}, clock.SystemNow());
  d->Tick(clock.SystemNow());
  BOOST_TEST_REQUIRE(transport.started.size() == 1u);  // delivery proceeds
  auto health = d->GetHealth();
  BOOST_TEST(!health.ok);
  BOOST_TEST(health.last_error ==
             "outbox: cannot write /state/notifications: No space left on device");
  BOOST_TEST(Value(d->Families(clock.SystemNow()), "opswatch_notification_outbox_failures_total") >=
             1);
  // Space comes back: the next successful outbox operation clears the error.
  fs.fail_with = Status::Ok();
  transport.Answer(200);
  Step(*d, 0ms);
  BOOST_TEST(d->GetHealth().ok);
}

BOOST_FIXTURE_TEST_CASE(alertmanager_push_refreshes_ends_at_per_attempt, Fixture) {
  ReceiverConfig am;
  am.name = "am";
  am.type = ReceiverType::kAlertmanager;
  am.url = Secret("http://127.0.0.1:9093/");
  DispatcherOptions options;
  options.config.receivers = {am};
  options.config.resend_delay = std::chrono::minutes(1);
  options.evaluation_interval = 15s;
  Dispatcher d(options, transport, fs, logger, [] { return 0.5; });
  BOOST_TEST(d.Start(clock.SystemNow()).ok());
  SystemTime t0 = clock.SystemNow();
  d.Submit({Firing("A", t0)}, t0);
  d.Tick(t0);
  BOOST_TEST_REQUIRE(transport.started.size() == 1u);
  BOOST_TEST(transport.started[0].request.url.Reveal() == "http://127.0.0.1:9093/api/v2/alerts");
  auto body = nlohmann::json::parse(transport.started[0].request.body);
  BOOST_TEST(body.size() == 1u);
  BOOST_TEST(body[0]["endsAt"] == FormatRfc3339Nano(t0 + 4min));
  transport.Answer(503);
  Step(d, 0ms);
  Step(d, 500ms);
  BOOST_TEST_REQUIRE(transport.started.size() == 2u);
  auto retried = nlohmann::json::parse(transport.started[1].request.body);
  BOOST_TEST(retried[0]["endsAt"] == FormatRfc3339Nano(t0 + 500ms + 4min));
}

BOOST_AUTO_TEST_CASE(posix_outbox_writes_atomically_and_reads_back) {
  testing::TempDir dir;
  auto fs = MakePosixOutboxFs();
  std::string outbox_dir = dir.Join("state/notifications");
  Outbox outbox(*fs, outbox_dir);
  Notification n;
  n.receiver = "ops";
  n.key = "{}:{alertname=\"A\"}";
  n.seq = 7;
  n.body = R"({"version":"4"})";
  n.items.push_back(PushItem{"abc", true, R"({"labels":{}})"});
  outbox.Put(n);
  BOOST_TEST(outbox.Sync().ok());
  BOOST_TEST(std::filesystem::exists(outbox_dir + "/" + OutboxFileName(n.receiver, n.key)));
  dir.Write("state/notifications/leftover.json.tmp", "partial");
  std::vector<std::string> problems;
  dir.Write("state/notifications/bad.json", "{not json");
  auto loaded = outbox.Load(problems);
  BOOST_TEST_REQUIRE(loaded.ok());
  BOOST_TEST_REQUIRE(loaded->size() == 1u);
  BOOST_TEST(loaded->at(0).seq == 7u);
  BOOST_TEST(loaded->at(0).body == n.body);
  BOOST_TEST(loaded->at(0).items.at(0).fingerprint == "abc");
  BOOST_TEST(problems.size() == 1u);
  BOOST_TEST(!std::filesystem::exists(outbox_dir + "/leftover.json.tmp"));
  BOOST_TEST(outbox.Remove(n).ok());
  BOOST_TEST(!std::filesystem::exists(outbox_dir + "/" + OutboxFileName(n.receiver, n.key)));

  // An unwritable state_dir is an error value, not a crash.
  Outbox broken(*fs, "/proc/opswatch-cannot-exist/notifications");
  broken.Put(n);
  Status status = broken.Sync();
  BOOST_TEST(!status.ok());
  BOOST_TEST(status.message().find("cannot create") != std::string::npos);
}

// Alertmanager's needsUpdate sends nothing for a group that never notified and holds only
// resolved alerts. Before the notification log was kept in the outbox directory, an alert notified
// as firing before a restart (or reload) and resolved after it lost its resolve: the restarted
// rule manager does not re-submit a firing alert within resend_delay, so the first thing the new
// dispatcher saw of it was the resolve.
BOOST_FIXTURE_TEST_CASE(resolve_after_restart_is_sent_for_a_group_notified_before, Fixture) {
  Alert alert = Firing("A", clock.SystemNow());
  {
    auto before = Make({Hook()});
    before->Submit({alert}, clock.SystemNow());
    before->Tick(clock.SystemNow());
    transport.Answer(200);
    Step(*before, 0ms);
    BOOST_TEST(fs.files.empty());  // delivered
  }
  BOOST_TEST(!fs.log_file.empty());
  Step(*Make({Hook()}), 10s);  // a restart that sees nothing of the alert for a while

  auto after = Make({Hook()});
  clock.Advance(20s);
  alert.state = AlertState::kInactive;
  alert.resolved_at = clock.SystemNow();
  after->Submit({alert}, clock.SystemNow());
  after->Tick(clock.SystemNow());
  BOOST_TEST_REQUIRE(transport.started.size() == 2u);
  auto body = nlohmann::json::parse(transport.started[1].request.body);
  BOOST_TEST(body["status"] == "resolved");
  BOOST_TEST(body["alerts"][0]["fingerprint"] == FingerprintHex(alert.labels));
}

// The log is written after the notification in the same batch; a crash between the two leaves the
// notification in the outbox and the log without it. The replayed notification stands in for it.
BOOST_FIXTURE_TEST_CASE(replayed_notification_counts_as_notified_when_the_log_missed_it, Fixture) {
  Alert alert = Firing("A", clock.SystemNow());
  {
    auto before = Make({Hook()});
    before->Submit({alert}, clock.SystemNow());
    before->Tick(clock.SystemNow());  // written, attempt started, then "killed"
  }
  fs.log_file.clear();
  auto after = Make({Hook()});
  after->Tick(clock.SystemNow());
  BOOST_TEST_REQUIRE(transport.started.size() == 2u);  // the outbox copy is sent again
  transport.Answer(200);
  transport.Answer(200);
  Step(*after, 0ms);

  clock.Advance(5s);
  alert.state = AlertState::kInactive;
  alert.resolved_at = clock.SystemNow();
  after->Submit({alert}, clock.SystemNow());
  after->Tick(clock.SystemNow());
  BOOST_TEST_REQUIRE(transport.started.size() == 3u);
  BOOST_TEST(nlohmann::json::parse(transport.started[2].request.body)["status"] == "resolved");
}

// A group that already notified the same firing alert before the restart does not notify it again
// when the rule manager re-submits it after resend_delay (it waits for repeat_interval).
BOOST_FIXTURE_TEST_CASE(restored_log_prevents_a_duplicate_firing_after_restart, Fixture) {
  Alert alert = Firing("A", clock.SystemNow());
  {
    auto before = Make({Hook()});
    before->Submit({alert}, clock.SystemNow());
    before->Tick(clock.SystemNow());
    transport.Answer(200);
    Step(*before, 0ms);
  }
  auto after = Make({Hook()});
  clock.Advance(1min);
  after->Submit({alert}, clock.SystemNow());
  after->Tick(clock.SystemNow());
  BOOST_TEST(transport.started.size() == 1u);
  Step(*after, 4h);
  BOOST_TEST(transport.started.size() == 2u);  // repeat_interval still applies
}

BOOST_AUTO_TEST_CASE(notification_log_round_trips_and_rejects_garbage) {
  NotificationLog log;
  log["ops"]["{}:{alertname=\"A\"}"] = {{"aa"}, {"bb", "cc"}, SystemTime(123456789ns)};
  log["ops"]["{}:{alertname=\"B\"}"] = {{}, {"dd"}, SystemTime(5s)};
  auto decoded = DecodeNotificationLog(EncodeNotificationLog(log));
  BOOST_TEST_REQUIRE(decoded.ok());
  BOOST_TEST((*decoded == log));
  BOOST_TEST(!DecodeNotificationLog("{").ok());
  BOOST_TEST(!DecodeNotificationLog(R"({"format": 2, "receivers": {}})").ok());
}
