#define BOOST_TEST_MODULE config
#include "exporter/config.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>

#include "collectors/registry.hpp"
#include "core/bounded_read.hpp"
#include "tests/support/env.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace opswatch;

namespace {

// Each tests/testdata/*.yml starts with "# expect: <first error line>" or "# expect: OK".
std::string ExpectedFor(const std::string& text, const CollectorRegistry& registry) {
  std::string first = text.substr(0, text.find('\n'));
  std::string expected = first.substr(std::string("# expect: ").size());
  std::string types;
  for (const auto& t : registry.Types()) types += (types.empty() ? "" : ", ") + t;
  auto pos = expected.find("TYPES");
  if (pos != std::string::npos) expected.replace(pos, 5, types);
  return expected;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_testdata_file_gives_its_exact_message) {
  CollectorRegistry registry;
  RegisterBuiltinCollectors(registry);
  testing::FakeConfigEnv env;
  int checked = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(OPSWATCH_SOURCE_DIR) / "tests/testdata")) {
    if (entry.path().extension() != ".yml") continue;
    std::string name = entry.path().filename().string();
    std::string text = testing::ReadFileOrDie(entry.path().string());
    BOOST_TEST_CONTEXT(name) {
      ConfigLoad load = ParseConfig(name, text, registry, env);
      std::string expected = ExpectedFor(text, registry);
      if (expected == "OK") {
        BOOST_TEST(load.ok(), load.ErrorText());
      } else {
        BOOST_TEST(!load.ok());
        std::string got = load.ErrorText();
        BOOST_TEST(got.substr(0, got.find('\n')) == expected);
      }
    }
    ++checked;
  }
  BOOST_TEST(checked >= 15);
}

BOOST_AUTO_TEST_CASE(good_config_has_defaults_and_overrides) {
  CollectorRegistry registry;
  RegisterBuiltinCollectors(registry);
  testing::FakeConfigEnv env;
  std::string text =
      testing::ReadFileOrDie(std::string(OPSWATCH_SOURCE_DIR) + "/tests/testdata/good.yml");
  ConfigLoad load = ParseConfig("good.yml", text, registry, env);
  BOOST_REQUIRE(load.ok());
  const Config& c = load.config;
  BOOST_TEST(c.global.interval.count() == 30000);
  BOOST_TEST(c.global.external_labels.Get("env") == "staging");
  BOOST_REQUIRE(c.collectors.size() == 2u);
  BOOST_TEST(c.collectors[0].id.interval.count() == 30000);
  BOOST_TEST(c.collectors[0].id.timeout.count() == 10000);
  BOOST_TEST(c.collectors[0].parsed.thresholds.at("avail_ratio_warning") == 0.2);
  // A collector interval below the global timeout caps its timeout at the interval.
  BOOST_TEST(c.collectors[1].id.interval.count() == 5000);
  BOOST_TEST(c.collectors[1].id.timeout.count() == 5000);
  BOOST_TEST(c.builtin_rules);
}

BOOST_AUTO_TEST_CASE(several_errors_are_all_reported_in_position_order) {
  CollectorRegistry registry;
  RegisterBuiltinCollectors(registry);
  testing::FakeConfigEnv env;
  ConfigLoad load = ParseConfig("c.yml",
                                "global:\n  interval: 5q\ncollectors:\n  - name: a\n    type: "
                                "disk\n    paths: [rel]\n    bogus: 1\n",
                                registry, env);
  BOOST_TEST(load.ErrorText() ==
             "c.yml:2:13: global.interval: invalid duration \"5q\" (use e.g. 500ms, 30s, 5m, 26h, "
             "7d)\n"
             "c.yml:6:12: collectors[0].paths: \"rel\" is not an absolute path\n"
             "c.yml:7:5: collectors[0]: unknown key \"bogus\" (known keys: interval, name, paths, "
             "thresholds, timeout, type)\n");
}

BOOST_AUTO_TEST_CASE(env_expansion_and_defaults) {
  CollectorRegistry registry;
  RegisterBuiltinCollectors(registry);
  testing::FakeConfigEnv env;
  env.vars["DATA"] = "/data";
  ConfigLoad load = ParseConfig(
      "c.yml",
      "global:\n  state_dir: ${DATA}/opswatch\n  external_labels: {site: \"${SITE:-lab}\", cost: "
      "\"$$5\"}\n",
      registry, env);
  BOOST_REQUIRE(load.ok());
  BOOST_TEST(load.config.global.state_dir == "/data/opswatch");
  BOOST_TEST(load.config.global.external_labels.Get("site") == "lab");
  BOOST_TEST(load.config.global.external_labels.Get("cost") == "$5");
}

BOOST_AUTO_TEST_CASE(relative_state_dir_resolves_against_the_config_directory) {
  CollectorRegistry registry;
  testing::FakeConfigEnv env;
  ConfigLoad load =
      ParseConfig("/etc/opswatch/opswatch.yml", "global:\n  state_dir: state\n", registry, env);
  BOOST_REQUIRE(load.ok());
  BOOST_TEST(load.config.global.state_dir == "/etc/opswatch/state");
}

BOOST_AUTO_TEST_CASE(secret_file_is_read_and_never_echoed) {
  testing::FakeConfigEnv env;
  env.files["/run/secrets/token"] = "s3cr3t-token\n";
  ConfigErrors errors;
  YAML::Node node = YAML::Load("token_file: /run/secrets/token\nother_file: /missing\n");
  MapReader reader(node, "x", errors, env);
  Secret token, other;
  BOOST_TEST(reader.SecretValue("token", token));
  BOOST_TEST(token.Reveal() == "s3cr3t-token");
  BOOST_TEST(!reader.SecretValue("other", other));
  reader.Finish();
  BOOST_TEST(errors.Format("f.yml") ==
             "f.yml:2:13: x.other_file: cannot read \"/missing\": No such file or directory\n");
}

BOOST_AUTO_TEST_CASE(secret_inline_and_file_together_is_an_error) {
  testing::FakeConfigEnv env;
  env.vars["TOKEN"] = "abc";
  ConfigErrors errors;
  YAML::Node node = YAML::Load("token: ${TOKEN}\ntoken_file: /x\n");
  MapReader reader(node, "x", errors, env);
  Secret token;
  BOOST_TEST(!reader.SecretValue("token", token));
  BOOST_TEST(errors.Format("f.yml") ==
             "f.yml:2:13: x.token_file: set only one of token and "
             "token_file\n");
  BOOST_TEST(errors.Format("f.yml").find("abc") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_config_file_is_a_clear_error) {
  CollectorRegistry registry;
  testing::FakeConfigEnv env;
  ConfigLoad load = LoadConfigFile("/nope/opswatch.yml", registry, env);
  BOOST_TEST(load.ErrorText() ==
             "/nope/opswatch.yml: cannot read config file: No such file or directory\n");
}

BOOST_AUTO_TEST_CASE(a_flood_of_problems_prints_the_first_twenty_and_a_count) {
  CollectorRegistry registry;
  testing::FakeConfigEnv env;
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "unknown_" + std::to_string(i) + ": 1\n";
  ConfigLoad load = ParseConfig("c.yml", text, registry, env);
  std::string got = load.ErrorText();
  BOOST_TEST(std::count(got.begin(), got.end(), '\n') == 21);
  BOOST_TEST(got.rfind("c.yml: ... and 99980 more problems\n") == got.size() - 35);
}

// Every collection is walked once however many aliases point at it (a "billion laughs" file).
BOOST_AUTO_TEST_CASE(repeated_key_check_stays_linear_with_aliases) {
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) text += ", " + prev;
    text += "]\n";
  }
  text += "l0: again\n";
  ConfigErrors errors;
  auto start = std::chrono::steady_clock::now();
  LoadYamlDocument(text, errors);
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(5)));
  BOOST_TEST(errors.Format("f.yml") ==
             "f.yml:10:1: top level: duplicate key \"l0\" (first defined at line 1)\n");
}

BOOST_AUTO_TEST_CASE(repeated_keys_are_found_at_any_depth_and_in_flow_style) {
  ConfigErrors errors;
  LoadYamlDocument("a:\n  - {x: 1, y: 2, x: 3}\n", errors);
  BOOST_TEST(errors.Format("f.yml") ==
             "f.yml:2:18: a[0]: duplicate key \"x\" (first defined at line 2)\n");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_from_the_environment_is_an_error_not_a_label) {
  CollectorRegistry registry;
  RegisterBuiltinCollectors(registry);
  testing::FakeConfigEnv env;
  env.vars["NAME"] = "caf\xE9";
  ConfigLoad load = ParseConfig(
      "c.yml", "collectors:\n  - name: ${NAME}\n    type: disk\n    paths: [/]\n", registry, env);
  BOOST_TEST(load.ErrorText() ==
             "c.yml:2:11: collectors[0].name: environment variable \"NAME\" is not valid UTF-8\n");
}

// Messages quote keys, values and file names; bytes that are not UTF-8 are never echoed raw.
BOOST_AUTO_TEST_CASE(errors_escape_invalid_bytes) {
  ConfigErrors errors;
  errors.AddUnpositioned("cannot read \"/etc/caf\xE9\": is a directory");
  BOOST_TEST(errors.Format("caf\xE9.yml") ==
             "caf\\xE9.yml: cannot read \"/etc/caf\\xE9\": is a directory\n");
}

BOOST_AUTO_TEST_CASE(secret_files_that_are_too_large_or_not_files_are_refused) {
  testing::FakeConfigEnv env;
  env.files["/run/secrets/huge"] = std::string(kSecretFileLimit + 1, 'x');
  ConfigErrors errors;
  YAML::Node node = YAML::Load("token_file: /run/secrets/huge\n");
  MapReader reader(node, "x", errors, env);
  Secret token;
  BOOST_TEST(!reader.SecretValue("token", token));
  BOOST_TEST(errors.Format("f.yml") ==
             "f.yml:1:13: x.token_file: cannot read \"/run/secrets/huge\": is too large\n");
}
