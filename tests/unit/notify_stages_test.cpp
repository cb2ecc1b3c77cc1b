// Pure stages of alert delivery: config parsing, routing, grouping/dedup, push tracking, retry
// decisions and the exact request bodies. Driven by explicit `now` values, never by sleeping.
#define BOOST_TEST_MODULE notify_stages
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "core/fake_clock.hpp"
#include "notify/aggregation.hpp"
#include "notify/notify_config.hpp"
#include "notify/payload.hpp"
#include "notify/retry.hpp"
#include "tests/support/env.hpp"

using namespace opswatch;
using namespace opswatch::notify;
using namespace std::chrono_literals;

namespace {

struct Parsed {
  AlertingConfig config;
  std::string errors;
};

Parsed Parse(const std::string& yaml, const testing::FakeConfigEnv& env = {}) {
  YAML::Node root = YAML::Load(yaml);
  ConfigErrors errors;
  Parsed out{ParseAlertingConfig(root["alerting"], errors, env), errors.Format("opswatch.yml")};
  return out;
}

const SystemTime kT0 = SystemTime(std::chrono::seconds(1'700'000'000));

Alert Firing(Labels labels, SystemTime fired_at = kT0) {
  Alert a;
  a.labels = std::move(labels);
  a.state = AlertState::kFiring;
  a.active_at = fired_at;
  a.fired_at = fired_at;
  return a;
}

Alert Resolved(Alert a, SystemTime at) {
  a.state = AlertState::kInactive;
  a.resolved_at = at;
  return a;
}

ReceiverConfig Webhook() {
  ReceiverConfig r;
  r.name = "ops";
  r.url = Secret("http://127.0.0.1:1/hook");
  r.group_by = {"alertname"};
  r.group_wait = 10s;
  r.group_interval = 1min;
  r.repeat_interval = 4h;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(full_section_reads_every_key) {
  testing::FakeConfigEnv env;
  env.files["/run/secrets/hook"] = "https://hooks.example/abc\n";
  env.vars["TOKEN"] = "s3cret";
  auto parsed = Parse(R"(
alerting:
  external_url: http://opswatch:10490
  resend_delay: 2m
  receivers:
    - name: ops
      type: webhook
      url_file: /run/secrets/hook
      match: {severity: critical}
      match_re: {service: "api|web"}
      group_by: [alertname, instance]
      group_wait: 5s
      group_interval: 2m
      repeat_interval: 1h
      send_resolved: false
      max_alerts: 3
      timeout: 4s
      headers: {Authorization: "Bearer ${TOKEN}"}
      retry: {initial: 1s, multiplier: 2, max_interval: 30s, max_elapsed: 1h, jitter: 0.2}
    - name: am
      type: alertmanager
      url: http://alertmanager:9093
)",
                      env);
  BOOST_TEST(parsed.errors == "");
  const AlertingConfig& c = parsed.config;
  BOOST_TEST(c.external_url == "http://opswatch:10490");
  BOOST_TEST(c.resend_delay.count() == 120000);
  BOOST_TEST_REQUIRE(c.receivers.size() == 2u);
  const ReceiverConfig& ops = c.receivers[0];
  BOOST_TEST(ops.url.Reveal() == "https://hooks.example/abc");
  BOOST_TEST(ops.match.at("severity") == "critical");
  BOOST_TEST(ops.group_by == (std::vector<std::string>{"alertname", "instance"}));
  BOOST_TEST(ops.group_wait.count() == 5000);
  BOOST_TEST(ops.group_interval.count() == 120000);
  BOOST_TEST(ops.repeat_interval.count() == 3600000);
  BOOST_TEST(!ops.send_resolved);
  BOOST_TEST(ops.max_alerts == 3);
  BOOST_TEST(ops.timeout.count() == 4000);
  BOOST_TEST(ops.headers.at("Authorization") == "Bearer s3cret");
  BOOST_TEST(ops.retry.initial.count() == 1000);
  BOOST_TEST(ops.retry.multiplier == 2.0);
  BOOST_TEST(ops.retry.max_interval.count() == 30000);
  BOOST_TEST(ops.retry.max_elapsed.count() == 3600000);
  BOOST_TEST(ops.retry.jitter == 0.2);
  BOOST_TEST((c.receivers[1].type == ReceiverType::kAlertmanager));

  BOOST_TEST(Matches(ops, Labels{{"severity", "critical"}, {"service", "api"}}));
  BOOST_TEST(!Matches(ops, Labels{{"severity", "critical"}, {"service", "apiv2"}}));  // anchored
  BOOST_TEST(!Matches(ops, Labels{{"severity", "warning"}, {"service", "api"}}));
}

BOOST_AUTO_TEST_CASE(defaults_follow_the_design) {
  auto parsed = Parse("alerting:\n  receivers:\n    - {name: a, type: webhook, url: http://x/}\n");
  BOOST_TEST(parsed.errors == "");
  const ReceiverConfig& r = parsed.config.receivers.at(0);
  BOOST_TEST(r.group_wait.count() == 10000);
  BOOST_TEST(r.group_interval.count() == 60000);
  BOOST_TEST(r.repeat_interval.count() == 4 * 3600000);
  BOOST_TEST(r.send_resolved);
  BOOST_TEST(r.retry.initial.count() == 500);
  BOOST_TEST(r.retry.multiplier == 1.5);
  BOOST_TEST(parsed.config.resend_delay.count() == 60000);
}

BOOST_AUTO_TEST_CASE(errors_are_positioned_and_never_echo_the_url) {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"alerting:\n  receivers:\n    - {name: a, type: slack, url: http://x/}\n",
       "opswatch.yml:3:23: alerting.receivers[0].type: unknown receiver type \"slack\" (use "
       "webhook or alertmanager)\n"},
      {"alerting:\n  receivers:\n    - name: a\n      type: webhook\n",
       "opswatch.yml:3:7: alerting.receivers[0].url: missing required key (or url_file)\n"},
      {"alerting:\n  receivers:\n    - name: a\n      type: webhook\n      url: "
       "ftp://secret-host/x\n",
       "opswatch.yml:5:12: alerting.receivers[0].url: only http:// and https:// URLs are "
       "supported\n"},
      {"alerting:\n  receivers:\n    - {name: a, type: webhook, url: \"http://[::1\"}\n",
       "opswatch.yml:3:37: alerting.receivers[0].url: not a valid URL\n"},
      {"alerting:\n  receivers:\n    - {name: a, type: webhook, url: \"http://secret-host/a b\"}\n",
       "opswatch.yml:3:37: alerting.receivers[0].url: not a valid URL\n"},
      {"alerting:\n  receivers:\n    - {name: a, type: webhook, url: http://x/, colour: red}\n",
       "opswatch.yml:3:48: alerting.receivers[0]: unknown key \"colour\" (known keys: group_by, "
       "group_interval, group_wait, headers, match, match_re, max_alerts, name, repeat_interval, "
       "retry, send_resolved, timeout, type, url, url_file)\n"},
      {"alerting:\n  receivers:\n    - {name: a, type: webhook, url: http://x/, retry: {jitter: "
       "2}}\n",
       "opswatch.yml:3:64: alerting.receivers[0].retry.jitter: must be between 0 and 1\n"},
      {"alerting:\n  receivers:\n    - {name: a, type: webhook, url: http://x/, match_re: {a: "
       "\"(\"}}\n",
       "opswatch.yml:3:58: alerting.receivers[0].match_re: invalid regex for a: missing ): (\n"},
      {"alerting:\n  receivers:\n    - {name: a, type: webhook, url: http://x/}\n"
       "    - {name: a, type: webhook, url: http://y/}\n",
       "opswatch.yml:4:14: alerting.receivers[1].name: duplicate receiver name \"a\"\n"},
      {"alerting:\n  receivers:\n    - {name: am, type: alertmanager, url: http://x/, group_wait: "
       "1s}\n",
       "opswatch.yml:3:66: alerting.receivers[0].group_wait: not used by alertmanager receivers "
       "(Alertmanager groups itself)\n"},
      {"alerting:\n  resend_delay: 0s\n",
       "opswatch.yml:2:17: alerting.resend_delay: must be greater than 0\n"},
  };
  for (const Case& c : cases) {
    auto parsed = Parse(c.yaml);
    BOOST_TEST(parsed.errors == c.expected, "got: " << parsed.errors);
    BOOST_TEST(parsed.errors.find("secret-host") == std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(payload)

BOOST_AUTO_TEST_CASE(fingerprint_matches_alertmanager) {
  // prometheus/common hashes an empty set to the FNV-1a offset basis; labels with 0xff separators.
  BOOST_TEST(FingerprintHex(Labels{}) == "cbf29ce484222325");
  BOOST_TEST(FingerprintHex(Labels{{"alertname", "DiskSpaceLow"}}).size() == 16u);
  BOOST_TEST(FingerprintHex(Labels{{"a", "b"}}) != FingerprintHex(Labels{{"ab", ""}}));
}

BOOST_AUTO_TEST_CASE(webhook_body_is_alertmanager_v4_exactly) {
  Alert disk =
      Firing(Labels{{"alertname", "DiskSpaceLow"}, {"mountpoint", "/"}, {"severity", "warning"}});
  disk.annotations = {{"summary", "Disk almost full"}, {"runbook", "df -h"}};
  disk.generator_url = "http://opswatch:10490/";
  Alert disk2 =
      Resolved(Firing(Labels{
                   {"alertname", "DiskSpaceLow"}, {"mountpoint", "/var"}, {"severity", "warning"}}),
               kT0 + 90s);
  disk2.annotations = {{"summary", "Disk almost full"}};
  WebhookMessage message{"ops",
                         "{}:{alertname=\"DiskSpaceLow\"}",
                         Labels{{"alertname", "DiskSpaceLow"}},
                         {disk, disk2},
                         2};
  std::string body = WebhookBody(message, "http://opswatch:10490").dump();
  std::string expected =
      R"({"receiver":"ops","status":"firing","alerts":[)"
      R"({"status":"firing","labels":{"alertname":"DiskSpaceLow","mountpoint":"/","severity":"warning"},)"
      R"("annotations":{"runbook":"df -h","summary":"Disk almost full"},)"
      R"("startsAt":"2023-11-14T22:13:20Z","endsAt":"0001-01-01T00:00:00Z",)"
      R"("generatorURL":"http://opswatch:10490/","fingerprint":")" +
      FingerprintHex(disk.labels) +
      R"("},)"
      R"({"status":"resolved","labels":{"alertname":"DiskSpaceLow","mountpoint":"/var","severity":"warning"},)"
      R"("annotations":{"summary":"Disk almost full"},)"
      R"("startsAt":"2023-11-14T22:13:20Z","endsAt":"2023-11-14T22:14:50Z",)"
      R"("generatorURL":"","fingerprint":")" +
      FingerprintHex(disk2.labels) +
      R"("}],)"
      R"("groupLabels":{"alertname":"DiskSpaceLow"},)"
      R"("commonLabels":{"alertname":"DiskSpaceLow","severity":"warning"},)"
      R"("commonAnnotations":{"summary":"Disk almost full"},)"
      R"("externalURL":"http://opswatch:10490","version":"4",)"
      R"("groupKey":"{}:{alertname=\"DiskSpaceLow\"}","truncatedAlerts":2})";
  BOOST_TEST(body == expected);
}

BOOST_AUTO_TEST_CASE(postable_alert_for_api_v2) {
  Alert a = Firing(Labels{{"alertname", "X"}});
  auto firing = PostableAlert(a, kT0 + 4min);
  BOOST_TEST(firing.dump() ==
             R"({"annotations":{},"endsAt":"2023-11-14T22:17:20Z","generatorURL":"",)"
             R"("labels":{"alertname":"X"},"startsAt":"2023-11-14T22:13:20Z"})");
  auto resolved = PostableAlert(Resolved(a, kT0 + 1min), kT0 + 4min);
  BOOST_TEST(resolved["endsAt"] == "2023-11-14T22:14:20Z");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(aggregation)

BOOST_AUTO_TEST_CASE(group_labels_and_key) {
  Labels l{{"alertname", "A"}, {"instance", "i1"}, {"job", "j"}};
  BOOST_TEST((GroupLabels({"alertname", "missing"}, l) == Labels{{"alertname", "A"}}));
  BOOST_TEST((GroupLabels({"..."}, l) == l));
  BOOST_TEST(GroupLabels({}, l).empty());
  ReceiverConfig r = Webhook();
  BOOST_TEST(GroupKey(r, Labels{{"alertname", "A"}}) == "{}:{alertname=\"A\"}");
  r.match = {{"severity", "critical"}};
  BOOST_TEST(GroupKey(r, Labels{{"alertname", "A"}}) ==
             "{}/{severity=\"critical\"}:{alertname=\"A\"}");
}

BOOST_AUTO_TEST_CASE(group_wait_interval_repeat_and_resolve) {
  ReceiverConfig config = Webhook();
  GroupAggregator agg(config);
  Alert a = Firing(Labels{{"alertname", "A"}, {"i", "1"}}, kT0);
  agg.Add(a, kT0);
  BOOST_TEST(agg.Flush(kT0 + 9s).empty());  // group_wait not over
  auto first = agg.Flush(kT0 + 10s);
  BOOST_TEST_REQUIRE(first.size() == 1u);
  BOOST_TEST(first[0].alerts.size() == 1u);
  BOOST_TEST(first[0].group_key == "{}:{alertname=\"A\"}");

  // Unchanged firing set: nothing until repeat_interval.
  agg.Add(a, kT0 + 30s);
  BOOST_TEST(agg.Flush(kT0 + 70s).empty());
  // A second alert joins the group: sent at the next group_interval tick, not before.
  Alert b = Firing(Labels{{"alertname", "A"}, {"i", "2"}}, kT0 + 80s);
  agg.Add(b, kT0 + 80s);
  BOOST_TEST(agg.Flush(kT0 + 100s).empty());
  auto second = agg.Flush(kT0 + 130s);
  BOOST_TEST_REQUIRE(second.size() == 1u);
  BOOST_TEST(second[0].alerts.size() == 2u);

  // Repeat after repeat_interval of silence.
  std::vector<WebhookMessage> repeat;
  for (auto t = kT0 + 190s; t <= kT0 + 130s + 4h; t += 60s) {
    auto flushed = agg.Flush(t);
    repeat.insert(repeat.end(), flushed.begin(), flushed.end());
  }
  BOOST_TEST(repeat.size() == 1u);

  // Resolve both: one resolved notification, then the group is gone.
  agg.Add(Resolved(a, kT0 + 5h), kT0 + 5h);
  agg.Add(Resolved(b, kT0 + 5h), kT0 + 5h);
  auto resolved = agg.Flush(kT0 + 5h + 60s);
  BOOST_TEST_REQUIRE(resolved.size() == 1u);
  BOOST_TEST(resolved[0].alerts.size() == 2u);
  BOOST_TEST(resolved[0].alerts[0].resolved());
  BOOST_TEST(agg.group_count() == 0u);
}

BOOST_AUTO_TEST_CASE(send_resolved_false_suppresses_resolves) {
  ReceiverConfig config = Webhook();
  config.send_resolved = false;
  GroupAggregator agg(config);
  Alert a = Firing(Labels{{"alertname", "A"}}, kT0);
  agg.Add(a, kT0);
  BOOST_TEST(agg.Flush(kT0 + 10s).size() == 1u);
  agg.Add(Resolved(a, kT0 + 20s), kT0 + 20s);
  BOOST_TEST(agg.Flush(kT0 + 70s).empty());
  BOOST_TEST(agg.group_count() == 0u);
}

BOOST_AUTO_TEST_CASE(old_alert_skips_group_wait_and_max_alerts_truncates) {
  ReceiverConfig config = Webhook();
  config.max_alerts = 2;
  GroupAggregator agg(config);
  for (int i = 0; i < 5; ++i) {
    // Fired an hour ago (e.g. before a restart): no second group_wait.
    agg.Add(Firing(Labels{{"alertname", "A"}, {"i", std::to_string(i)}}, kT0 - 1h), kT0);
  }
  auto out = agg.Flush(kT0);
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(out[0].alerts.size() == 2u);
  BOOST_TEST(out[0].truncated_alerts == 3u);
  BOOST_TEST(out[0].alerts[0].labels.Get("i") == "0");  // stable label order
}

BOOST_AUTO_TEST_CASE(push_tracker_follows_prometheus_notifier) {
  PushTracker push(1min, 15s);
  BOOST_TEST((push.FiringEndsAt(kT0) == kT0 + 4min));
  Alert a = Firing(Labels{{"alertname", "A"}});
  push.Add(a, kT0);
  BOOST_TEST(push.Flush(kT0).alerts.size() == 1u);
  push.Add(a, kT0 + 15s);
  BOOST_TEST(push.Flush(kT0 + 15s).alerts.empty());  // within resend_delay
  push.Add(a, kT0 + 60s);
  BOOST_TEST(push.Flush(kT0 + 60s).alerts.size() == 1u);  // resend_delay passed
  // Resolved: sent at once, then every resend_delay for 15 minutes, then forgotten.
  push.Add(Resolved(a, kT0 + 70s), kT0 + 70s);
  BOOST_TEST(push.Flush(kT0 + 70s).alerts.size() == 1u);
  BOOST_TEST(push.Flush(kT0 + 100s).alerts.empty());
  BOOST_TEST(push.Flush(kT0 + 130s).alerts.size() == 1u);
  BOOST_TEST(push.Flush(kT0 + 70s + 15min + 1s).alerts.empty());
  BOOST_TEST(push.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(retry)

BOOST_AUTO_TEST_CASE(classification_table) {
  struct Case {
    long status;
    bool timed_out;
    bool success, retryable;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {200, false, true, false, ""},
      {204, false, true, false, ""},
      {400, false, false, false, "clientError"},
      {404, false, false, false, "clientError"},
      {429, false, false, true, "clientError"},
      {500, false, false, true, "serverError"},
      {503, false, false, true, "serverError"},
      {0, false, false, true, "other"},
      {0, true, false, true, "contextDeadlineExceeded"},
  };
  for (const Case& c : cases) {
    AttemptOutcome o;
    o.status = c.status;
    o.timed_out = c.timed_out;
    BOOST_TEST(IsSuccess(o) == c.success, c.status);
    BOOST_TEST(IsRetryable(o) == c.retryable, c.status);
    BOOST_TEST(FailureReason(o) == c.reason, c.status);
  }
}

BOOST_AUTO_TEST_CASE(backoff_grows_caps_and_never_undercuts_initial) {
  RetryPolicy p;  // 500ms * 1.5^n, cap 60s, jitter 0.5
  auto ms = [](Duration d) { return std::chrono::duration_cast<Millis>(d).count(); };
  BOOST_TEST(ms(BackoffDelay(p, 1, 0.5)) == 500);
  BOOST_TEST(ms(BackoffDelay(p, 2, 0.5)) == 750);
  BOOST_TEST(ms(BackoffDelay(p, 3, 0.5)) == 1125);
  BOOST_TEST(ms(BackoffDelay(p, 30, 0.5)) == 60000);
  BOOST_TEST(ms(BackoffDelay(p, 3, 0.0)) == 562);        // -50%
  BOOST_TEST(ms(BackoffDelay(p, 3, 0.9999)) == 1687);    // about +50%
  BOOST_TEST(ms(BackoffDelay(p, 1, 0.0)) == 500);        // jitter never goes below initial
  BOOST_TEST(ms(BackoffDelay(p, 30, 0.9999)) == 60000);  // nor above max_interval
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured) {
  BOOST_TEST((ParseRetryAfter("120", kT0) == Duration(120s)));
  BOOST_TEST((ParseRetryAfter(" 7 ", kT0) == Duration(7s)));
  BOOST_TEST(!ParseRetryAfter("", kT0).has_value());
  BOOST_TEST(!ParseRetryAfter("soon", kT0).has_value());
  // 2023-11-14T22:13:20Z + 30s as an HTTP-date.
  BOOST_TEST((ParseRetryAfter("Tue, 14 Nov 2023 22:13:50 GMT", kT0) == Duration(30s)));

  RetryPolicy p;
  AttemptOutcome limited;
  limited.status = 429;
  limited.retry_after = "30";
  auto half = [] { return 0.5; };
  auto d = DecideRetry(p, limited, 1, kT0, kT0, half);
  BOOST_TEST(d.kind == RetryDecision::kRetry);
  BOOST_TEST((d.next_attempt == kT0 + 30s));
  BOOST_TEST(d.reason == "clientError");
}

BOOST_AUTO_TEST_CASE(decisions_table) {
  RetryPolicy p;
  p.max_elapsed = 10s;
  auto half = [] { return 0.5; };
  AttemptOutcome ok, bad, down;
  ok.status = 200;
  bad.status = 400;
  down.status = 503;
  BOOST_TEST(DecideRetry(p, ok, 0, kT0, kT0, half).kind == RetryDecision::kDelivered);
  auto give_up = DecideRetry(p, bad, 1, kT0, kT0, half);
  BOOST_TEST(give_up.kind == RetryDecision::kGiveUp);
  BOOST_TEST(give_up.reason == "clientError");
  auto retry = DecideRetry(p, down, 2, kT0, kT0 + 1s, half);
  BOOST_TEST(retry.kind == RetryDecision::kRetry);
  BOOST_TEST((retry.next_attempt == kT0 + 1s + 750ms));
  auto expired = DecideRetry(p, down, 9, kT0, kT0 + 9s, half);
  BOOST_TEST(expired.kind == RetryDecision::kGiveUp);
  BOOST_TEST(expired.reason == "expired");
}

BOOST_AUTO_TEST_SUITE_END()
