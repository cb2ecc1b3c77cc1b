#define BOOST_TEST_MODULE builtin_rules
#include "rules/builtin_rules.hpp"

#include <boost/test/unit_test.hpp>

#include "collectors/scrape/scrape_rules.hpp"
#include "rules/promql/promql_eval.hpp"
#include "tests/support/builtin_rules.hpp"

namespace opswatch {
namespace {

using testing::GenerateBuiltinRules;

std::vector<std::string> Names(const RuleGroupSpec& group) {
  std::vector<std::string> names;
  for (const auto& rule : group.rules) names.push_back(rule.name);
  return names;
}

const RuleSpec& Find(const RuleGroupSpec& group, const std::string& name) {
  for (const auto& rule : group.rules) {
    if (rule.name == name) return rule;
  }
  BOOST_FAIL("no rule " + name);
  throw 0;
}

void CheckCommon(const RuleGroupSpec& group, const std::string& collector) {
  for (const auto& rule : group.rules) {
    BOOST_TEST_CONTEXT(rule.name) {
      BOOST_TEST(rule.expr != nullptr);
      BOOST_TEST(rule.expr_text.find("{collector=\"" + collector + "\"") != std::string::npos);
      BOOST_TEST(
          (rule.labels.at("severity") == "warning" || rule.labels.at("severity") == "critical"));
      BOOST_TEST(rule.labels.at("collector") == collector);
      BOOST_TEST(!rule.annotations.at("summary").empty());
      BOOST_TEST(!rule.annotations.at("description").empty());
      BOOST_TEST(!rule.annotations.at("hint").empty());
      BOOST_TEST(rule.for_duration.count() > 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(disk_rules_with_all_thresholds) {
  auto group = GenerateBuiltinRules(
      "root-disk", "disk",
      {{"avail_ratio_warning", 0.1}, {"avail_ratio_critical", 0.05}, {"inodes_free_ratio", 0.05}});
  BOOST_TEST(group.name == "opswatch-builtin:root-disk");
  BOOST_TEST(group.builtin);
  BOOST_TEST(Names(group) ==
                 (std::vector<std::string>{"DiskSpaceLow", "DiskSpaceCritical", "DiskInodesLow",
                                           "DiskReadOnly", "DiskStuck", "CollectorFailing"}),
             boost::test_tools::per_element());
  CheckCommon(group, "root-disk");
  BOOST_TEST(Find(group, "DiskSpaceLow").expr_text ==
             "opswatch_disk_avail_bytes{collector=\"root-disk\"} / "
             "opswatch_disk_size_bytes{collector=\"root-disk\"} < 0.1");
  BOOST_TEST(Find(group, "DiskSpaceCritical").labels.at("severity") == "critical");
  BOOST_TEST(Find(group, "DiskSpaceLow").annotations.at("description").find("10%") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(rules_exist_only_for_configured_thresholds) {
  auto group = GenerateBuiltinRules("d", "disk", {{"avail_ratio_critical", 0.05}});
  BOOST_TEST(Names(group) == (std::vector<std::string>{"DiskSpaceCritical", "DiskReadOnly",
                                                       "DiskStuck", "CollectorFailing"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(log_rules_silence_and_one_rate_rule_per_event) {
  auto group = GenerateBuiltinRules("app-logs", "log",
                                    {{"max_silence", 600},
                                     {"max_count:slow_query", 10},
                                     {"rate_window:slow_query", 300},
                                     {"max_count:errors", 1.5},
                                     {"rate_window:errors", 3600}});
  BOOST_TEST(Names(group) == (std::vector<std::string>{"LogSilent", "LogEventRate", "LogEventRate",
                                                       "CollectorFailing"}),
             boost::test_tools::per_element());
  CheckCommon(group, "app-logs");
  // Thresholds are ordered by key: errors before slow_query.
  BOOST_TEST(group.rules[1].expr_text ==
             "sum by (collector, event) (increase(opswatch_log_events_total{collector=\"app-logs\","
             "event=\"errors\"}[1h])) > 1.5");
  BOOST_TEST(group.rules[2].expr_text ==
             "sum by (collector, event) (increase(opswatch_log_events_total{collector=\"app-logs\","
             "event=\"slow_query\"}[5m])) > 10");
  BOOST_TEST(group.rules[2].annotations.at("description").find("last 5m") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(backup_rules) {
  auto group = GenerateBuiltinRules("pg-backups", "backup",
                                    {{"max_age", 93600},
                                     {"min_count", 1},
                                     {"retention_count", 14},
                                     {"min_bytes", 1024},
                                     {"shrink_ratio", 0.5}});
  BOOST_TEST(Names(group) == (std::vector<std::string>{
                                 "BackupMissing", "BackupStale", "BackupTooSmall", "BackupShrank",
                                 "BackupCorrupt", "BackupRetentionShort", "CollectorFailing"}),
             boost::test_tools::per_element());
  CheckCommon(group, "pg-backups");
  BOOST_TEST(Find(group, "BackupStale").expr_text ==
             "opswatch_backup_newest_age_seconds{collector=\"pg-backups\"} > 93600");
  BOOST_TEST(Find(group, "BackupShrank").expr_text ==
             "opswatch_backup_newest_bytes{collector=\"pg-backups\"} < 0.5 * "
             "opswatch_backup_previous_bytes{collector=\"pg-backups\"}");
  BOOST_TEST(Find(group, "BackupStale").annotations.at("description").find("1d 2h 0m 0s") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(http_rules) {
  auto group = GenerateBuiltinRules("app-health", "http", {{"slow", 1}, {"cert_expiry", 1209600}});
  BOOST_TEST(
      Names(group) == (std::vector<std::string>{"ServiceDown", "ServiceCheckFailed", "ServiceSlow",
                                                "TLSCertExpiringSoon", "CollectorFailing"}),
      boost::test_tools::per_element());
  CheckCommon(group, "app-health");
  BOOST_TEST(Find(group, "TLSCertExpiringSoon").expr_text ==
             "opswatch_http_tls_cert_expiry_timestamp_seconds{collector=\"app-health\"} - time() "
             "< 1209600");
}

BOOST_AUTO_TEST_CASE(postgres_and_self_rules) {
  auto group = GenerateBuiltinRules("app-db", "postgres",
                                    {{"connections_ratio", 0.8}, {"replication_lag", 300}});
  BOOST_TEST(Names(group) == (std::vector<std::string>{"PostgresDown", "PostgresConnectionsHigh",
                                                       "PostgresReplicationLag",
                                                       "PostgresQueryFailing", "CollectorFailing"}),
             boost::test_tools::per_element());
  CheckCommon(group, "app-db");
  BOOST_TEST(Find(group, "PostgresConnectionsHigh").expr_text ==
             "sum without (state) (opswatch_pg_connections{collector=\"app-db\"}) / "
             "opswatch_pg_max_connections{collector=\"app-db\"} > 0.8");
  auto self = GenerateBuiltinRules("custom", "self", {});
  BOOST_TEST(Names(self) == (std::vector<std::string>{"CollectorFailing"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(collector_names_are_escaped) {
  auto group = GenerateBuiltinRules("we\"ird", "self", {});
  BOOST_REQUIRE_EQUAL(group.rules.size(), 1u);
  BOOST_TEST(group.rules[0].expr_text == "opswatch_collector_up{collector=\"we\\\"ird\"} == 0");
}

BOOST_AUTO_TEST_CASE(generated_expressions_evaluate) {
  auto group = GenerateBuiltinRules("root-disk", "disk", {{"avail_ratio_warning", 0.1}});
  SeriesHistory history(std::chrono::minutes(5));
  SystemTime now(std::chrono::seconds(1'700'000'000));
  Labels labels{{"collector", "root-disk"}, {"path", "/"}};
  history.Append(now, {Series{"opswatch_disk_avail_bytes", labels, 5},
                       Series{"opswatch_disk_size_bytes", labels, 100}});
  auto value = promql::Evaluate(*Find(group, "DiskSpaceLow").expr, history, now);
  BOOST_REQUIRE(value.ok());
  BOOST_REQUIRE_EQUAL(value->vector.size(), 1u);
  BOOST_TEST(value->vector[0].value == 0.05);
  BOOST_TEST(value->vector[0].labels->Get("path") == "/");
}

BOOST_AUTO_TEST_CASE(file_rule_overrides_builtin_for_the_same_collector_only) {
  auto builtin = GenerateBuiltinRules("root-disk", "disk", {{"avail_ratio_warning", 0.1}});
  ConfigErrors errors;
  auto files = ParseRuleFile(R"(groups:
- name: mine
  rules:
  - alert: DiskSpaceLow
    expr: opswatch_disk_avail_bytes{collector="root-disk"} < 1e9
  - alert: DiskStuck
    expr: opswatch_disk_stuck{collector=~"root-disk"} == 1
  - alert: CollectorFailing
    expr: opswatch_collector_up{collector="other"} == 0
)",
                             "mine.yml", errors);
  BOOST_REQUIRE(errors.empty());
  std::vector<std::string> overridden;
  auto merged = MergeRuleGroups({builtin}, files, &overridden);
  BOOST_TEST(overridden == (std::vector<std::string>{"root-disk/DiskSpaceLow"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(merged.size(), 2u);
  BOOST_TEST(Names(merged[0]) ==
                 (std::vector<std::string>{"DiskReadOnly", "DiskStuck", "CollectorFailing"}),
             boost::test_tools::per_element());
  BOOST_TEST(merged[1].name == "mine");
}

// A scrape collector's series carry job=, not collector= (ARCHITECTURE §7): TargetDown selects
// its job and a file rule replaces it by selecting that job.
BOOST_AUTO_TEST_CASE(target_down_selects_and_is_overridden_by_the_job) {
  auto builtin = BuiltinRuleGroup("scribe", ScrapeBuiltinRules("scribe-ledger"));
  BOOST_TEST(Find(builtin, "TargetDown").expr_text == R"(up{job="scribe-ledger"} == 0)");
  ConfigErrors errors;
  auto files = ParseRuleFile(R"(groups:
- name: mine
  rules:
  - alert: TargetDown
    expr: up{job="scribe-ledger"} == 0
    for: 5m
)",
                             "mine.yml", errors);
  BOOST_REQUIRE(errors.empty());
  std::vector<std::string> overridden;
  MergeRuleGroups({builtin}, files, &overridden);
  BOOST_TEST(overridden == (std::vector<std::string>{"scribe/TargetDown"}),
             boost::test_tools::per_element());
  // collector="scribe" does not select the job's up series, so it replaces nothing.
  auto by_collector = ParseRuleFile(R"(groups:
- name: mine
  rules:
  - alert: TargetDown
    expr: up{collector="scribe"} == 0
)",
                                    "mine.yml", errors);
  overridden.clear();
  MergeRuleGroups({builtin}, by_collector, &overridden);
  BOOST_TEST(overridden.empty());
}

BOOST_AUTO_TEST_CASE(threshold_formatting) {
  BOOST_TEST(FormatThreshold(93600) == "93600");
  BOOST_TEST(FormatThreshold(0.1) == "0.1");
  BOOST_TEST(FormatThreshold(1.0 / 3) == "0.3333333333333333");
}

}  // namespace
}  // namespace opswatch
