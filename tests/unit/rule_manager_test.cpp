#define BOOST_TEST_MODULE rule_manager
#include "rules/rule_manager.hpp"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/fake_clock.hpp"
#include "rules/builtin_rules.hpp"
#include "tests/support/builtin_rules.hpp"
#include "tests/support/temp_dir.hpp"

BOOST_TEST_DONT_PRINT_LOG_VALUE(opswatch::SystemTime)

namespace opswatch {
std::ostream& operator<<(std::ostream& os, AlertState s) { return os << AlertStateName(s); }
namespace {

using testing::GenerateBuiltinRules;

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

struct Fixture {
  FakeClock clock;
  NullLogger logger;
  testing::TempDir state_dir;
  double avail = 5;

  RuleManagerOptions Options() {
    RuleManagerOptions options;
    options.evaluation_interval = seconds(15);
    options.external_labels = Labels{{"env", "staging"}};
    options.external_url = "http://opswatch:10490";
    options.state_dir = state_dir.path().string();
    return options;
  }
  std::vector<RuleGroupSpec> Rules(const char* text) {
    ConfigErrors errors;
    auto groups = ParseRuleFile(text, "rules.yml", errors);
    BOOST_REQUIRE_MESSAGE(errors.empty(), errors.Format("rules.yml"));
    return groups;
  }
  SnapshotPtr Snap() {
    auto snapshot = std::make_shared<Snapshot>();
    snapshot->taken_at = clock.SystemNow();
    Labels labels{{"collector", "root-disk"}, {"path", "/var"}};
    snapshot->families.push_back(Gauge("opswatch_disk_avail_bytes", "a").Add(labels, avail));
    snapshot->families.push_back(Gauge("opswatch_disk_size_bytes", "s").Add(labels, 100));
    return snapshot;
  }
  std::vector<Alert> Step(RuleManager& manager, Duration d = seconds(15)) {
    clock.Advance(d);
    return manager.Tick(Snap(), clock.SystemNow());
  }
};

const char* kGoodRules = R"(groups:
- name: disk
  rules:
  - record: job:avail_ratio
    expr: opswatch_disk_avail_bytes / opswatch_disk_size_bytes
  - alert: DiskLow
    expr: job:avail_ratio < 0.1
    for: 30s
    labels:
      severity: warning
      env_copy: "{{ $externalLabels.env }}"
    annotations:
      summary: "{{ $labels.path }} at {{ $value | humanizePercentage }}"
      broken: "{{ humanize \"x\" }}"
)";

BOOST_FIXTURE_TEST_CASE(recording_rule_feeds_alert_in_same_group, Fixture) {
  RuleManager manager(Options(), clock, logger);
  manager.SetRules(Rules(kGoodRules));
  BOOST_TEST(Step(manager).empty());  // pending
  auto alerts = manager.Alerts();
  BOOST_REQUIRE_EQUAL(alerts.size(), 1u);
  BOOST_TEST(alerts[0].state == AlertState::kPending);
  BOOST_TEST(alerts[0].labels.Get("alertname") == "DiskLow");
  BOOST_TEST(alerts[0].labels.Get("env_copy") == "staging");
  BOOST_TEST(!alerts[0].labels.Has("env"));  // external labels only on sent alerts
  BOOST_TEST(alerts[0].annotations.at("summary") == "/var at 5%");
  BOOST_TEST(alerts[0].annotations.at("broken").rfind("<error expanding template: ", 0) == 0);

  BOOST_TEST(Step(manager).empty());
  auto sent = Step(manager);  // 30 s held
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0].state == AlertState::kFiring);
  BOOST_TEST(sent[0].labels.Get("env") == "staging");
  BOOST_TEST(sent[0].value == 0.05);
  BOOST_TEST(
      sent[0].generator_url.rfind("http://opswatch:10490/graph?g0.expr=job%3Aavail_ratio", 0) == 0);
  BOOST_TEST((sent[0].valid_until == clock.SystemNow() + minutes(4)));

  avail = 50;
  sent = Step(manager);
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0].resolved());
  BOOST_TEST(manager.Alerts().empty());
}

BOOST_FIXTURE_TEST_CASE(groups_run_on_their_interval, Fixture) {
  RuleManager manager(Options(), clock, logger);
  manager.SetRules(Rules(kGoodRules));
  Step(manager);
  Step(manager, seconds(5));  // not due: no new evaluation
  auto rules = json::parse(manager.RulesJson());
  std::string first = rules["data"]["groups"][0]["lastEvaluation"];
  Step(manager, seconds(10));
  rules = json::parse(manager.RulesJson());
  BOOST_TEST(rules["data"]["groups"][0]["lastEvaluation"].get<std::string>() != first);
}

BOOST_FIXTURE_TEST_CASE(api_json_has_prometheus_shape, Fixture) {
  RuleManager manager(Options(), clock, logger);
  manager.SetRules(Rules(kGoodRules));
  Step(manager);
  auto rules = json::parse(manager.RulesJson());
  BOOST_TEST(rules["status"] == "success");
  const json& group = rules["data"]["groups"][0];
  BOOST_TEST(group["name"] == "disk");
  BOOST_TEST(group["file"] == "rules.yml");
  BOOST_TEST(group["interval"] == 15);
  const json& record = group["rules"][0];
  BOOST_TEST(record["type"] == "recording");
  BOOST_TEST(record["health"] == "ok");
  BOOST_TEST(!record.contains("labels"));
  const json& alert = group["rules"][1];
  BOOST_TEST(alert["type"] == "alerting");
  BOOST_TEST(alert["state"] == "pending");
  BOOST_TEST(alert["duration"] == 30);
  BOOST_TEST(alert["keepFiringFor"] == 0);
  BOOST_TEST(alert["query"] == "job:avail_ratio < 0.1");
  BOOST_TEST(alert["labels"]["severity"] == "warning");
  BOOST_TEST(alert["alerts"][0]["value"] == "5e-02");
  BOOST_TEST(alert["alerts"][0]["activeAt"] == "2023-11-14T22:13:35Z");
  BOOST_TEST(alert["lastEvaluation"] == "2023-11-14T22:13:35Z");

  auto alerts = json::parse(manager.AlertsJson());
  BOOST_REQUIRE_EQUAL(alerts["data"]["alerts"].size(), 1u);
  BOOST_TEST(alerts["data"]["alerts"][0]["labels"]["alertname"] == "DiskLow");
  BOOST_TEST(alerts["data"]["alerts"][0]["state"] == "pending");
}

BOOST_FIXTURE_TEST_CASE(metrics_expose_alerts_and_evaluation, Fixture) {
  RuleManager manager(Options(), clock, logger);
  manager.SetRules(Rules(kGoodRules));
  Step(manager);
  auto families = manager.Families();
  std::map<std::string, MetricFamily> by_name;
  for (auto& f : families) by_name[f.name] = f;
  const auto& alerts = by_name.at("opswatch_alerts");
  BOOST_REQUIRE_EQUAL(alerts.samples.size(), 1u);
  BOOST_TEST(alerts.samples[0].labels.Get("alertstate") == "pending");
  BOOST_TEST(alerts.samples[0].value == 1);
  BOOST_TEST(by_name.at("opswatch_alerts_for_state").samples[0].value ==
             ToUnixSeconds(clock.SystemNow()));
  BOOST_TEST(by_name.at("opswatch_rule_evaluation_failures_total").samples[0].value == 0);
  BOOST_TEST(
      by_name.at("opswatch_rule_evaluation_failures_total").samples[0].labels.Get("rule_group") ==
      "rules.yml;disk");
  BOOST_TEST(by_name.at("opswatch_rule_history_series").samples[0].value == 3);
  BOOST_TEST(by_name.at("opswatch_rule_history_bytes").samples[0].value > 0);
}

BOOST_FIXTURE_TEST_CASE(evaluation_errors_are_counted_and_shown, Fixture) {
  RuleManager manager(Options(), clock, logger);
  // Two series with the same labels once __name__ is dropped: Prometheus's duplicate error.
  manager.SetRules(Rules(R"(groups:
- name: dup
  rules:
  - alert: Dup
    expr: '{__name__=~"opswatch_disk_.*"}'
)"));
  Step(manager);
  auto rules = json::parse(manager.RulesJson());
  const json& rule = rules["data"]["groups"][0]["rules"][0];
  BOOST_TEST(rule["health"] == "err");
  BOOST_TEST(rule["lastError"] ==
             "vector contains metrics with the same labelset after applying alert labels");
  auto families = manager.Families();
  for (const auto& f : families) {
    if (f.name == "opswatch_rule_evaluation_failures_total") BOOST_TEST(f.samples[0].value == 1);
  }
}

BOOST_FIXTURE_TEST_CASE(a_template_cut_off_by_the_output_cap_shows_in_the_rule_health, Fixture) {
  RuleManager manager(Options(), clock, logger);
  // 70 actions of 1,000 bytes: past the 64 KiB cap on one expansion.
  std::string big;
  for (int i = 0; i < 70; ++i) big += "{{ printf \"%1000d\" 1 }}";
  manager.SetRules(Rules((R"(groups:
- name: big
  rules:
  - alert: Big
    expr: opswatch_disk_avail_bytes > 0
    annotations:
      small: "{{ humanize \"x\" }}"
      huge: ')" + big + "'\n")
                             .c_str()));
  Step(manager);
  auto alerts = manager.Alerts();
  BOOST_REQUIRE_EQUAL(alerts.size(), 1u);  // the alert still fires, carrying the error in-line
  BOOST_TEST(alerts[0].annotations.at("huge").find("output longer than 65536 bytes") !=
             std::string::npos);
  auto rules = json::parse(manager.RulesJson());
  const json& rule = rules["data"]["groups"][0]["rules"][0];
  BOOST_TEST(rule["health"] == "err");
  BOOST_TEST(rule["lastError"].get<std::string>().find(
                 "error executing template __alert_Big: template: __alert_Big: output longer than "
                 "65536 bytes") == 0u);
  // An ordinary template error (the "small" annotation) alone keeps Prometheus's "ok".
  manager.SetRules(Rules(kGoodRules));
  Step(manager);
  rules = json::parse(manager.RulesJson());
  BOOST_TEST(rules["data"]["groups"][0]["rules"][1]["health"] == "ok");
}

BOOST_FIXTURE_TEST_CASE(restart_keeps_firing_alert_without_resending, Fixture) {
  SystemTime active_at;
  {
    RuleManager manager(Options(), clock, logger);
    manager.SetRules(Rules(kGoodRules));
    Step(manager);
    active_at = clock.SystemNow();
    Step(manager);
    BOOST_REQUIRE_EQUAL(Step(manager).size(), 1u);  // firing, sent
  }
  // Restart 20 s later: still firing, same start, nothing re-sent before resend_delay.
  RuleManager restarted(Options(), clock, logger);
  restarted.SetRules(Rules(kGoodRules));
  BOOST_TEST(Step(restarted, seconds(20)).empty());
  auto alerts = restarted.Alerts();
  BOOST_REQUIRE_EQUAL(alerts.size(), 1u);
  BOOST_TEST(alerts[0].state == AlertState::kFiring);
  BOOST_TEST((alerts[0].active_at == active_at));
  BOOST_TEST(Step(restarted, seconds(45)).size() == 1u);  // resend_delay (1m) passed
}

// A long `for`: the alert stays pending across the steps of a test.
const char* kSlowRules = R"(groups:
- name: disk
  rules:
  - alert: DiskLow
    expr: opswatch_disk_avail_bytes / opswatch_disk_size_bytes < 0.1
    for: 20m
)";

BOOST_FIXTURE_TEST_CASE(restart_keeps_for_timer_and_sends_forgotten_resolve, Fixture) {
  {
    RuleManager manager(Options(), clock, logger);
    manager.SetRules(Rules(kSlowRules));
    Step(manager);
    Step(manager, minutes(5));  // 5 of 20 minutes pending
  }
  clock.Advance(minutes(30));  // down for 30 minutes: not counted
  RuleManager restarted(Options(), clock, logger);
  restarted.SetRules(Rules(kSlowRules));
  Step(restarted);
  BOOST_TEST(restarted.Alerts().at(0).state == AlertState::kPending);
  BOOST_TEST(Step(restarted, minutes(14) + seconds(45)).empty());  // 19m45s pending
  BOOST_TEST(Step(restarted, seconds(15)).size() == 1u);           // 20 minutes: firing

  // Resolved while down: the first evaluation after the restart sends the resolve.
  avail = 50;
  RuleManager again(Options(), clock, logger);
  again.SetRules(Rules(kSlowRules));
  auto sent = Step(again);
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0].resolved());
}

BOOST_FIXTURE_TEST_CASE(rounds_that_change_no_alert_state_do_not_rewrite_it, Fixture) {
  RuleManager manager(Options(), clock, logger);
  manager.SetRules(Rules(kSlowRules));
  Step(manager);  // pending: saved
  const std::string path = state_dir.Join("alerts.json");
  struct stat before {};
  BOOST_REQUIRE(::stat(path.c_str(), &before) == 0);
  for (int i = 0; i < 4; ++i) Step(manager);  // still pending, same timers
  struct stat after {};
  BOOST_REQUIRE(::stat(path.c_str(), &after) == 0);
  // Every save renames a new file into place: a new inode, or at least a new change time.
  BOOST_TEST(before.st_ino == after.st_ino);
  BOOST_TEST(before.st_ctim.tv_sec == after.st_ctim.tv_sec);
  BOOST_TEST(before.st_ctim.tv_nsec == after.st_ctim.tv_nsec);
  std::ifstream alive(state_dir.Join("alerts.alive"));
  long long alive_ms = 0;
  BOOST_REQUIRE(alive >> alive_ms);
  BOOST_TEST(alive_ms == std::chrono::duration_cast<std::chrono::milliseconds>(
                             clock.SystemNow().time_since_epoch())
                             .count());
  avail = 50;  // resolved: the pending alert is dropped, which is a change
  Step(manager);
  BOOST_REQUIRE(::stat(path.c_str(), &after) == 0);
  BOOST_TEST(before.st_ino != after.st_ino);
}

BOOST_FIXTURE_TEST_CASE(reload_keeps_alerts_of_unchanged_rules, Fixture) {
  RuleManager manager(Options(), clock, logger);
  manager.SetRules(Rules(kGoodRules));
  Step(manager);
  SystemTime active_at = manager.Alerts().at(0).active_at;
  manager.SetRules(Rules(kGoodRules));
  Step(manager);
  BOOST_TEST((manager.Alerts().at(0).active_at == active_at));
}

BOOST_FIXTURE_TEST_CASE(reload_with_a_changed_expression_resolves_instead_of_forgetting, Fixture) {
  RuleManager manager(Options(), clock, logger);
  const char* firing = R"(groups:
- name: g
  rules:
  - alert: Low
    expr: opswatch_disk_avail_bytes < 10
    labels: {severity: warning}
)";
  manager.SetRules(Rules(firing));
  BOOST_REQUIRE_EQUAL(Step(manager).size(), 1u);  // fires at once (no for)
  std::string changed = firing;
  changed.replace(changed.find("< 10"), 4, "< 1");
  manager.SetRules(Rules(changed.c_str()));
  auto sent = Step(manager);
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0].resolved());
  BOOST_TEST(sent[0].labels.Get("alertname") == "Low");
}

BOOST_FIXTURE_TEST_CASE(print_rules_round_trips_through_the_loader, Fixture) {
  RuleManager manager(Options(), clock, logger);
  auto builtin = GenerateBuiltinRules("root-disk", "disk", {{"avail_ratio_warning", 0.1}});
  manager.SetRules(MergeRuleGroups({builtin}, Rules(kGoodRules)));
  std::string printed = manager.PrintRules();
  ConfigErrors errors;
  auto reparsed = ParseRuleFile(printed, "printed.yml", errors);
  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.Format("printed.yml") + printed);
  BOOST_REQUIRE_EQUAL(reparsed.size(), 2u);
  BOOST_TEST(reparsed[0].name == "opswatch-builtin:root-disk");
  BOOST_TEST(reparsed[0].rules.size() == builtin.rules.size());
  BOOST_TEST(reparsed[0].rules[0].annotations == builtin.rules[0].annotations);
  BOOST_TEST(reparsed[1].rules[1].for_duration.count() == 30000);
  BOOST_TEST(reparsed[1].rules[1].labels.at("env_copy") == "{{ $externalLabels.env }}");
}

}  // namespace
}  // namespace opswatch

namespace opswatch {
namespace {

// Scraped series with expose: false reach rules through Snapshot::history_only, and a target
// that stops answering takes them out of the next evaluation (a staleness marker), as in
// Prometheus.
BOOST_FIXTURE_TEST_CASE(history_only_series_are_seen_by_rules_and_go_stale, Fixture) {
  RuleManager manager(Options(), clock, logger);
  manager.SetRules(Rules(R"(groups:
- name: scribe
  rules:
  - alert: StorageNearFull
    expr: scribe_storage_keys_total > 900000
)"));
  auto snapshot = [&](bool target_up) {
    auto s = std::make_shared<Snapshot>();
    if (target_up) {
      s->history_only.push_back(Gauge("scribe_storage_keys_total", "k")
                                    .Add({{"job", "scribe-ledger"}, {"instance", "a:1"}}, 912345));
    }
    return s;
  };
  clock.Advance(seconds(15));
  auto sent = manager.Tick(snapshot(true), clock.SystemNow());
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(
      sent[0].labels.ToString() ==
      R"({alertname="StorageNearFull", env="staging", instance="a:1", job="scribe-ledger"})");
  clock.Advance(seconds(15));
  sent = manager.Tick(snapshot(false), clock.SystemNow());
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0].resolved());
}

}  // namespace
}  // namespace opswatch
