#define BOOST_TEST_MODULE rule_file
#include "rules/rule_file.hpp"

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "tests/support/temp_dir.hpp"

namespace opswatch {
namespace {

const std::string kTestdata = std::string(OPSWATCH_SOURCE_DIR) + "/tests/testdata/rules";

std::string LoadError(const std::string& name) {
  auto loaded = LoadRuleFiles({name}, kTestdata);
  BOOST_REQUIRE(!loaded.ok());
  return loaded.error();
}

BOOST_AUTO_TEST_CASE(good_file_loads_every_field) {
  auto loaded = LoadRuleFiles({"good.yml"}, kTestdata);
  BOOST_REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  BOOST_REQUIRE_EQUAL(loaded->size(), 2u);
  const RuleGroupSpec& disk = (*loaded)[0];
  BOOST_TEST(disk.name == "disk");
  BOOST_TEST(disk.file == kTestdata + "/good.yml");
  BOOST_TEST(disk.interval.count() == 30000);
  BOOST_REQUIRE_EQUAL(disk.rules.size(), 2u);
  const RuleSpec& record = disk.rules[0];
  BOOST_TEST((record.kind == RuleSpec::Kind::kRecording));
  BOOST_TEST(record.name == "collector:opswatch_disk_avail_ratio");
  BOOST_TEST(record.labels.at("source") == "recorded");
  BOOST_TEST(record.expr != nullptr);
  const RuleSpec& alert = disk.rules[1];
  BOOST_TEST((alert.kind == RuleSpec::Kind::kAlerting));
  BOOST_TEST(alert.name == "DiskAlmostFull");
  BOOST_TEST(alert.for_duration.count() == 300000);
  BOOST_TEST(alert.keep_firing_for.count() == 60000);
  BOOST_TEST(alert.labels.at("path") == "{{ $labels.path }}");
  BOOST_TEST(alert.annotations.at("description").find("{{ printf \"%.2f\" $value }}") !=
             std::string::npos);
  BOOST_TEST((*loaded)[1].interval.count() == 0);
}

BOOST_AUTO_TEST_CASE(globs_are_relative_to_the_config_dir_and_may_match_nothing) {
  auto loaded = LoadRuleFiles({"goo*.yml", "nothing-*.yml"}, kTestdata);
  BOOST_REQUIRE(loaded.ok());
  BOOST_TEST(loaded->size() == 2u);
}

BOOST_AUTO_TEST_CASE(unknown_key_is_an_error_with_position) {
  BOOST_TEST(LoadError("invalid-unknown-key.yml") ==
             kTestdata +
                 "/invalid-unknown-key.yml:6:9: groups[0].rules[0]: unknown key \"fro\" (known "
                 "keys: alert, annotations, expr, for, keep_firing_for, labels, record)");
}

BOOST_AUTO_TEST_CASE(expression_error_points_into_the_expression) {
  BOOST_TEST(LoadError("invalid-expr.yml") ==
             kTestdata +
                 "/invalid-expr.yml:5:32: groups[0].rules[0].expr: could not parse expression: "
                 "unexpected end of input");
}

BOOST_AUTO_TEST_CASE(recording_rule_problems_are_all_reported) {
  const std::string f = kTestdata + "/invalid-record.yml";
  BOOST_TEST(
      LoadError("invalid-record.yml") ==
      f + ":4:17: groups[0].rules[0].record: invalid recording rule name \"bad name\"\n" + f +
          ":6:14: groups[0].rules[0].for: invalid field 'for' in recording rule\n" + f +
          ":8:11: groups[0].rules[0].annotations: invalid field 'annotations' in recording rule\n" +
          f + ":9:9: groups[0].rules[1]: one of 'record' or 'alert' must be set\n" + f +
          ":10:11: groups[1].name: group name \"g\" is repeated in the same file");
}

BOOST_AUTO_TEST_CASE(templates_and_label_names_are_checked_at_load) {
  const std::string f = kTestdata + "/invalid-template.yml";
  BOOST_TEST(LoadError("invalid-template.yml") ==
             f + ":7:11: groups[0].rules[0].labels.1bad: invalid label name \"1bad\"\n" + f +
                 ":9:20: groups[0].rules[0].annotations.summary: template: __alert_A:1: function "
                 "\"nosuch\" not defined");
}

BOOST_AUTO_TEST_CASE(yaml_syntax_error_has_position) {
  std::string error = LoadError("invalid-yaml.yml");
  BOOST_TEST(error.rfind(kTestdata + "/invalid-yaml.yml:", 0) == 0);
  BOOST_TEST(error.find("invalid YAML: ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unsupported_promql_is_named) {
  ConfigErrors errors;
  ParseRuleFile("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: histogram_count(x)\n",
                "f.yml", errors);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors.items()[0].line == 5);
  BOOST_TEST(errors.Format("f.yml") ==
             "f.yml:5:11: groups[0].rules[0].expr: could not parse expression: unsupported "
             "function \"histogram_count\"\n");
}

BOOST_AUTO_TEST_CASE(no_environment_expansion_in_rule_files) {
  ConfigErrors errors;
  auto groups = ParseRuleFile(
      "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n"
      "      s: \"${NOT_EXPANDED} $$ {{ $value }}\"\n",
      "f.yml", errors);
  BOOST_REQUIRE(errors.empty());
  BOOST_TEST(groups[0].rules[0].annotations.at("s") == "${NOT_EXPANDED} $$ {{ $value }}");
}

// Prometheus (Go's YAML) rejects these too; yaml-cpp alone would keep the first key, ignore the
// second document and pass the bytes on to labels and JSON.
BOOST_AUTO_TEST_CASE(rule_files_are_one_utf8_document_without_repeated_keys) {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    expr: up == 1\n",
       "f.yml:6:5: groups[0].rules[0]: duplicate key \"expr\" (first defined at line 5)\n"},
      {"groups: []\n---\ngroups: []\n",
       "f.yml:2:1: a second YAML document is not allowed (one file holds one document; remove the "
       "\"---\" line)\n"},
      {"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n"
       "      summary: caf\xE9 down\n",
       "f.yml:7:19: invalid UTF-8 byte \\xE9 (the file must be UTF-8 text)\n"},
      {"just text\n",
       "f.yml:1:1: a rule file must be a mapping with a \"groups:\" list, not a scalar\n"},
  };
  for (const Case& c : cases) {
    ConfigErrors errors;
    auto groups = ParseRuleFile(c.yaml, "f.yml", errors);
    BOOST_TEST(groups.empty());
    BOOST_TEST(errors.Format("f.yml") == c.expected);
  }
}

BOOST_AUTO_TEST_CASE(a_rule_file_that_is_not_a_regular_file_says_what_it_is) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.Join("rules/dir.yml"));
  auto loaded = LoadRuleFiles({"rules/*.yml"}, dir.path().string());
  BOOST_TEST(loaded.error() ==
             dir.Join("rules/dir.yml") + ": cannot read rule file: is a directory");
}

}  // namespace
}  // namespace opswatch
