// The postgres collector's config: defaults, secrets, and exact file:line:col errors.
#define BOOST_TEST_MODULE postgres_config
#include "collectors/postgres/postgres_config.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/env.hpp"

namespace opswatch {
namespace {

struct Loaded {
  std::optional<ParsedCollector> parsed;
  std::optional<PostgresConfig> config;
  std::string errors;  // ConfigErrors::Format("opswatch.yml")
};

Loaded Load(const std::string& yaml, const testing::FakeConfigEnv& env = {},
            Millis timeout = Millis(10'000)) {
  YAML::Node node = YAML::Load(yaml);
  CollectorIdentity id{"db", "postgres", Millis(30'000), timeout};
  Loaded out;
  {
    ConfigErrors errors;
    MapReader reader(node, "collectors[0]", errors, env);
    reader.Accept("name");
    reader.Accept("type");
    out.config = ParsePostgresConfig(reader, id);
    reader.Finish();
    out.errors = errors.Format("opswatch.yml");
  }
  ConfigErrors errors;
  MapReader reader(node, "collectors[0]", errors, env);
  reader.Accept("name");
  reader.Accept("type");
  out.parsed = ParsePostgresCollector(reader, id);
  reader.Finish();
  BOOST_TEST(errors.Format("opswatch.yml") == out.errors);
  return out;
}

BOOST_AUTO_TEST_CASE(MinimalConfigGetsDefaults) {
  auto loaded = Load("name: db\ntype: postgres\ndsn: postgresql://u:pw@db:5432/app\n");
  BOOST_TEST_REQUIRE(loaded.errors == "");
  BOOST_TEST_REQUIRE(loaded.config.has_value());
  BOOST_TEST(loaded.config->dsn.Reveal() == "postgresql://u:pw@db:5432/app");
  BOOST_TEST(loaded.config->connect_timeout.count() == 5000);
  BOOST_TEST(loaded.config->queries.empty());
  BOOST_TEST_REQUIRE(loaded.parsed.has_value());
  BOOST_TEST(loaded.parsed->thresholds.at("connections_ratio") == 0.8);
  BOOST_TEST(loaded.parsed->thresholds.at("replication_lag") == 300.0);
}

BOOST_AUTO_TEST_CASE(FullConfig) {
  testing::FakeConfigEnv env;
  env.files["/run/secrets/db"] = "host=db user=app password=hunter2 dbname=app\n";
  auto loaded = Load(R"(name: db
type: postgres
dsn_file: /run/secrets/db
connect_timeout: 2s
queries:
  - metric: opswatch_pg_audit_logs_rows
    help: Rows in audit_logs
    sql: SELECT count(*) AS value FROM audit_logs
    timeout: 5s
  - metric: app_orders_total
    type: counter
    sql: SELECT sum(n) FROM orders
    interval: 5m
thresholds: {connections_ratio: 0.9, replication_lag: 1m}
)",
                     env);
  BOOST_TEST_REQUIRE(loaded.errors == "");
  const auto& c = *loaded.config;
  BOOST_TEST(c.dsn.Reveal() == "host=db user=app password=hunter2 dbname=app");
  BOOST_TEST(c.connect_timeout.count() == 2000);
  BOOST_TEST_REQUIRE(c.queries.size() == 2u);
  BOOST_TEST(c.queries[0].help == "Rows in audit_logs");
  BOOST_TEST(c.queries[0].timeout.count() == 5000);
  BOOST_TEST(c.queries[0].interval.count() == 0);
  BOOST_TEST((c.queries[1].type == MetricType::kCounter));
  BOOST_TEST(c.queries[1].timeout.count() == 10000);  // the collector's timeout
  BOOST_TEST(c.queries[1].interval.count() == 300000);
  BOOST_TEST(c.queries[1].help == "Custom PostgreSQL query app_orders_total.");
  BOOST_TEST(loaded.parsed->thresholds.at("connections_ratio") == 0.9);
  BOOST_TEST(loaded.parsed->thresholds.at("replication_lag") == 60.0);
}

BOOST_AUTO_TEST_CASE(DsnFromEnvironment) {
  testing::FakeConfigEnv env;
  env.vars["DATABASE_URL"] = "postgresql://app:s3cret@db/app";
  auto loaded = Load("dsn: ${DATABASE_URL}\n", env);
  BOOST_TEST_REQUIRE(loaded.errors == "");
  BOOST_TEST(loaded.config->dsn.Reveal() == "postgresql://app:s3cret@db/app");
}

BOOST_AUTO_TEST_CASE(BadMetricNamesAreConfigErrors) {
  auto loaded = Load(R"(dsn: postgresql://db/app
queries:
  - metric: audit-logs
    sql: SELECT 1
  - metric: opswatch_pg_up
    sql: SELECT 1
  - metric: orders
    type: counter
    sql: SELECT 1
  - metric: rows
    sql: SELECT 1
  - metric: rows
    sql: SELECT 2
)");
  BOOST_TEST(!loaded.config.has_value());
  BOOST_TEST(!loaded.parsed.has_value());
  BOOST_TEST(loaded.errors ==
             "opswatch.yml:3:13: collectors[0].queries[0].metric: \"audit-logs\" is not a valid "
             "metric name (use [a-zA-Z_:][a-zA-Z0-9_:]*)\n"
             "opswatch.yml:5:13: collectors[0].queries[1].metric: \"opswatch_pg_up\" clashes with "
             "a built-in metric\n"
             "opswatch.yml:7:13: collectors[0].queries[2].metric: \"orders\" is a counter, so its "
             "name must end in _total\n"
             "opswatch.yml:12:13: collectors[0].queries[4].metric: \"rows\" is already used by "
             "queries[3]\n");
}

BOOST_AUTO_TEST_CASE(OtherErrors) {
  auto loaded = Load(R"(dsn: postgresql://db/app
dsn_file: /x
connect_timeout: 20s
queries:
  - metric: a
    sql: " ; "
    type: summary
    timeout: 11s
    colour: red
thresholds: {connections_ratio: 1.5, replication_lag: 0s}
)");
  BOOST_TEST(!loaded.config.has_value());
  BOOST_TEST(loaded.errors ==
             "opswatch.yml:2:11: collectors[0].dsn_file: set only one of dsn and dsn_file\n"
             "opswatch.yml:3:18: collectors[0].connect_timeout: must not exceed the collector's "
             "timeout (10s)\n"
             "opswatch.yml:7:11: collectors[0].queries[0].type: must be gauge or counter, not "
             "\"summary\"\n"
             "opswatch.yml:8:14: collectors[0].queries[0].timeout: must not exceed the "
             "collector's timeout (10s)\n"
             "opswatch.yml:9:5: collectors[0].queries[0]: unknown key \"colour\" (known keys: "
             "help, interval, metric, sql, timeout, type)\n"
             "opswatch.yml:10:33: collectors[0].thresholds.connections_ratio: must be a ratio "
             "above 0 and at most 1\n"
             "opswatch.yml:10:55: collectors[0].thresholds.replication_lag: must be greater than "
             "0\n");
}

BOOST_AUTO_TEST_CASE(MissingDsnAndUnparsableDsnNeverQuoteIt) {
  auto missing = Load("queries: []\n");
  BOOST_TEST(missing.errors ==
             "opswatch.yml:1:1: collectors[0].dsn: missing required key (or dsn_file)\n");
  auto bad = Load("dsn: \"host=db password hunter2\"\n");
  BOOST_TEST(bad.errors.find("hunter2") == std::string::npos, bad.errors);
  BOOST_TEST(bad.errors.find("opswatch.yml:1:6: collectors[0].dsn: cannot parse dsn") == 0u,
             bad.errors);
}

}  // namespace
}  // namespace opswatch
