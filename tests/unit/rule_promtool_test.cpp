// Compatibility with Prometheus's own tooling: the real `promtool check rules` (Debian's
// prometheus package) must accept every rule file we ship and the output of --print-rules, and
// opswatch must load every file promtool accepts here.
#define BOOST_TEST_MODULE rule_promtool
#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "core/fake_clock.hpp"
#include "rules/builtin_rules.hpp"
#include "rules/rule_manager.hpp"
#include "tests/support/builtin_rules.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace opswatch {
namespace {

using testing::GenerateBuiltinRules;

const std::string kSource = OPSWATCH_SOURCE_DIR;

void ExpectPromtoolAccepts(const std::string& file) {
  auto result = testing::RunCommand({"promtool", "check", "rules", file});
  BOOST_TEST(result.exit_code == 0, "promtool check rules " << file << ":\n"
                                                            << result.out << result.err);
  BOOST_TEST(result.out.find("SUCCESS") != std::string::npos);
}

std::vector<std::string> ShippedRuleFiles() {
  std::vector<std::string> files;
  for (const char* dir : {"/examples/rules", "/tests/testdata/rules"}) {
    for (const auto& entry : std::filesystem::directory_iterator(kSource + dir)) {
      std::string name = entry.path().filename().string();
      if (entry.path().extension() == ".yml" && name.rfind("invalid-", 0) != 0) {
        files.push_back(entry.path().string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

BOOST_AUTO_TEST_CASE(promtool_is_installed) {
  auto result = testing::RunCommand({"promtool", "--version"});
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, "promtool not runnable: " + result.err);
}

BOOST_AUTO_TEST_CASE(every_shipped_rule_file_passes_promtool_and_opswatch) {
  auto files = ShippedRuleFiles();
  BOOST_REQUIRE_GE(files.size(), 2u);
  for (const auto& file : files) {
    BOOST_TEST_CONTEXT(file) {
      ExpectPromtoolAccepts(file);
      auto loaded = LoadRuleFiles({file}, "");
      BOOST_TEST(loaded.ok(), (loaded.ok() ? "" : loaded.error()));
    }
  }
}

BOOST_AUTO_TEST_CASE(invalid_testdata_is_rejected_by_promtool_too) {
  // Our strictness matches Prometheus's: what we reject, promtool rejects.
  for (const char* name : {"invalid-unknown-key.yml", "invalid-expr.yml", "invalid-record.yml",
                           "invalid-template.yml", "invalid-yaml.yml"}) {
    BOOST_TEST_CONTEXT(name) {
      auto result = testing::RunCommand(
          {"promtool", "check", "rules", kSource + "/tests/testdata/rules/" + name});
      BOOST_TEST(result.exit_code != 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(print_rules_output_passes_promtool) {
  FakeClock clock;
  NullLogger logger;
  RuleManager manager(RuleManagerOptions{}, clock, logger);
  std::vector<RuleGroupSpec> builtin = {
      GenerateBuiltinRules("root-disk", "disk",
                           {{"avail_ratio_warning", 0.1},
                            {"avail_ratio_critical", 0.05},
                            {"inodes_free_ratio", 0.05}}),
      GenerateBuiltinRules("pg-backups", "backup",
                           {{"max_age", 93600},
                            {"min_count", 1},
                            {"retention_count", 14},
                            {"min_bytes", 1024},
                            {"shrink_ratio", 0.5}}),
      GenerateBuiltinRules("app-health", "http", {{"slow", 1}, {"cert_expiry", 1209600}}),
      GenerateBuiltinRules("app-db", "postgres",
                           {{"connections_ratio", 0.8}, {"replication_lag", 300}}),
      GenerateBuiltinRules("we\"ird name", "self", {}),
  };
  auto files = LoadRuleFiles(ShippedRuleFiles(), "");
  BOOST_REQUIRE(files.ok());
  std::vector<std::string> overridden;
  manager.SetRules(MergeRuleGroups(builtin, *files, &overridden));
  BOOST_TEST(overridden == (std::vector<std::string>{"pg-backups/BackupStale"}),
             boost::test_tools::per_element());

  testing::TempDir dir;
  std::string path = dir.Write("printed.yml", manager.PrintRules());
  ExpectPromtoolAccepts(path);
  auto result = testing::RunCommand({"promtool", "check", "rules", path});
  // 5 disk + 6 backup + 4 http + 4 postgres + 5 CollectorFailing + 1 self - 1 overridden = 24
  // built-in rules, plus the shipped files' rules.
  BOOST_TEST_MESSAGE(result.out << result.err);
  auto reloaded = LoadRuleFiles({path}, "");
  BOOST_REQUIRE(reloaded.ok());
  size_t printed_rules = 0, expected_rules = 0;
  for (const auto& g : *reloaded) printed_rules += g.rules.size();
  for (const auto& g : MergeRuleGroups(builtin, *files)) expected_rules += g.rules.size();
  BOOST_TEST(printed_rules == expected_rules);
  BOOST_TEST(result.out.find("SUCCESS: " + std::to_string(expected_rules) + " rules found") !=
             std::string::npos);
}

}  // namespace
}  // namespace opswatch
