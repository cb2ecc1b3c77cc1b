#define BOOST_TEST_MODULE config
#include "exporter/config.hpp"

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "collectors/registry.hpp"
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
