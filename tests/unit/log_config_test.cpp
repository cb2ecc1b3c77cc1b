// The log collector's config: path globs split into a root and a pattern, defaults, thresholds.
// Each error message is asserted in tests/testdata/invalid-log-*.yml (config_test).
#define BOOST_TEST_MODULE log_config
#include "collectors/log/log_config.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>

#include "tests/support/env.hpp"

using namespace opswatch;

BOOST_AUTO_TEST_CASE(path_globs_split_at_the_first_glob_segment) {
  auto deep = ParseLogPath("/srv/app/logs/**/*.ndjson");
  BOOST_REQUIRE(deep);
  BOOST_TEST(deep->root == "/srv/app/logs");
  BOOST_TEST(deep->glob.segments().size() == 2u);
  auto single = ParseLogPath("/var/log/archiver.log");
  BOOST_REQUIRE(single);
  BOOST_TEST(single->root == "/var/log");
  BOOST_TEST(single->glob.segments().front() == "archiver.log");
  auto top = ParseLogPath("/*.log");
  BOOST_REQUIRE(top);
  BOOST_TEST(top->root == "/");
  auto mid = ParseLogPath("/var/log/app-*/current");
  BOOST_REQUIRE(mid);
  BOOST_TEST(mid->root == "/var/log");
  BOOST_TEST(mid->glob.segments().size() == 2u);
  BOOST_TEST(!ParseLogPath("logs/*.log"));
  BOOST_TEST(!ParseLogPath("/var/log/"));
}

BOOST_AUTO_TEST_CASE(defaults_and_thresholds) {
  YAML::Node node = YAML::Load(
      "paths: [/var/log/app.log]\n"
      "thresholds: {max_silence: 10m}\n");
  testing::FakeConfigEnv env;
  ConfigErrors errors;
  MapReader reader(node, "collectors[0]", errors, env);
  auto parsed = ParseLogCollector(
      reader, CollectorIdentity{"a", "log", Millis(30000), Millis(10000), "/var/lib/opswatch"});
  reader.Finish();
  BOOST_REQUIRE_MESSAGE(parsed, errors.Format("t.yml"));
  BOOST_TEST(parsed->thresholds.at("max_silence") == 600);
}
