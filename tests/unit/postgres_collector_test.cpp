// The postgres collector's logic over a fake connection and a FakeClock: built-in metric mapping,
// one failed query marks only itself down, intervals, server down and reconnect.
#define BOOST_TEST_MODULE postgres_collector
#include "collectors/postgres/postgres_collector.hpp"

#include <boost/test/unit_test.hpp>
#include <map>

#include "core/fake_clock.hpp"
#include "tests/support/metric_lookup.hpp"

namespace opswatch {
namespace {

constexpr unsigned kText = 25, kInt4 = 23, kFloat8 = 701;

// What the fake server knows; shared with the test after the collector takes the connection.
struct FakeServer {
  FakeClock* clock = nullptr;
  bool accepting = true;
  int connects = 0;
  std::vector<std::string> queries;
  std::vector<Millis> statement_timeouts;
  std::vector<SteadyTime> deadlines;
  std::map<std::string, Result<PgResult>> custom;  // exact SQL -> answer
  Millis query_cost{0};                            // advanced on the clock per query
};

class FakePgConnection final : public PgConnection {
 public:
  explicit FakePgConnection(std::shared_ptr<FakeServer> server) : server_(std::move(server)) {}
  bool connected() const override { return open_ && server_->accepting; }
  Status Connect(SteadyTime) override {
    ++server_->connects;
    open_ = server_->accepting;
    return open_ ? Status::Ok() : Status::Error("connect: connection refused");
  }
  void Close() override { open_ = false; }
  Result<PgResult> Query(const std::string& sql, Millis statement_timeout,
                         SteadyTime deadline) override {
    if (!connected()) {
      open_ = false;
      return Result<PgResult>::Error("receive: server closed the connection unexpectedly");
    }
    server_->queries.push_back(sql);
    server_->statement_timeouts.push_back(statement_timeout);
    server_->deadlines.push_back(deadline);
    server_->clock->Advance(server_->query_cost);
    if (sql == "SELECT 1") return PgResult{{{"?column?", kInt4}}, {{"1"}}};
    if (sql.find("current_setting('server_version')") != std::string::npos) {
      return PgResult{{{"server_version", kText},
                       {"max_connections", kFloat8},
                       {"in_recovery", kInt4},
                       {"replication_lag_seconds", kFloat8}},
                      {{"15.5", "100", "0", std::nullopt}}};
    }
    if (sql.find("pg_stat_activity") != std::string::npos) {
      return PgResult{{{"state", kText}, {"value", kFloat8}},
                      {{"active", "2"}, {"idle", "5"}, {"unknown", "1"}}};
    }
    if (sql.find("pg_database") != std::string::npos) {
      return PgResult{{{"datname", kText}, {"value", kFloat8}},
                      {{"app", "1000"}, {"secret_db", std::nullopt}}};
    }
    auto it = server_->custom.find(sql);
    if (it == server_->custom.end()) return Result<PgResult>::Error("unexpected query " + sql);
    return it->second;
  }

 private:
  std::shared_ptr<FakeServer> server_;
  bool open_ = false;
};

const MetricFamily* Find(const CollectResult& r, const std::string& name) {
  return testing::FindFamily(r.families, name);
}

std::optional<double> Value(const CollectResult& r, const std::string& name,
                            const Labels& labels = {}) {
  return testing::SeriesValue(r.families, name, labels);
}

struct Fixture {
  FakeClock clock;
  NullLogger logger;
  std::shared_ptr<FakeServer> server = std::make_shared<FakeServer>();
  std::unique_ptr<PostgresCollector> collector;

  explicit Fixture(std::vector<PgQueryConfig> queries = {}) {
    server->clock = &clock;
    PostgresConfig config;
    config.dsn = Secret("postgresql://u:pw@db/app");
    config.queries = std::move(queries);
    collector = std::make_unique<PostgresCollector>(
        config, std::make_unique<FakePgConnection>(server), clock, logger);
  }
  CollectResult Run(Millis budget = Millis(10'000)) {
    return collector->Collect({clock.SteadyNow() + budget});
  }
};

PgQueryConfig Query(std::string metric, std::string sql, Millis interval = Millis(0)) {
  PgQueryConfig q;
  q.metric = std::move(metric);
  q.help = "help";
  q.sql = std::move(sql);
  q.timeout = Millis(2'000);
  q.interval = interval;
  return q;
}

BOOST_AUTO_TEST_CASE(BuiltinMetrics) {
  Fixture f;
  f.server->query_cost = Millis(3);
  auto r = f.Run();
  BOOST_TEST(r.status.ok(), r.status.message());
  BOOST_TEST(*Value(r, "opswatch_pg_up") == 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_ping_duration_seconds") == 0.003);
  BOOST_TEST(*Value(r, "opswatch_pg_info", {{"server_version", "15.5"}}) == 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_max_connections") == 100.0);
  BOOST_TEST(*Value(r, "opswatch_pg_in_recovery") == 0.0);
  BOOST_TEST(Find(r, "opswatch_pg_replication_lag_seconds")->samples.empty());  // primary
  BOOST_TEST(*Value(r, "opswatch_pg_connections", {{"state", "active"}}) == 2.0);
  BOOST_TEST(*Value(r, "opswatch_pg_connections", {{"state", "idle"}}) == 5.0);
  BOOST_TEST(*Value(r, "opswatch_pg_connections", {{"state", "unknown"}}) == 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_connections", {{"state", "idle in transaction"}}) == 0.0);
  BOOST_TEST(*Value(r, "opswatch_pg_database_size_bytes", {{"datname", "app"}}) == 1000.0);
  BOOST_TEST(Find(r, "opswatch_pg_database_size_bytes")->samples.size() == 1u);
  for (const auto& family : r.families) BOOST_TEST(!family.help.empty(), family.name);
}

BOOST_AUTO_TEST_CASE(FailedQueryMarksOnlyThatQueryDown) {
  Fixture f({Query("good_rows", "SELECT good"), Query("bad_rows", "SELECT bad")});
  f.server->custom.emplace("SELECT good", PgResult{{{"value", kInt4}}, {{"7"}}});
  f.server->custom.emplace("SELECT bad", Result<PgResult>::Error("relation \"x\" does not exist"));
  auto r = f.Run();
  BOOST_TEST(r.status.ok(), r.status.message());  // the collector itself is fine
  BOOST_TEST(*Value(r, "opswatch_pg_query_up", {{"query", "good_rows"}}) == 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_query_up", {{"query", "bad_rows"}}) == 0.0);
  BOOST_TEST(*Value(r, "good_rows") == 7.0);
  BOOST_TEST(Find(r, "bad_rows") == nullptr);
  BOOST_TEST(f.server->statement_timeouts.back().count() == 2000);
}

BOOST_AUTO_TEST_CASE(NonNumericResultIsAnErrorOnThatQuery) {
  Fixture f({Query("names", "SELECT name")});
  f.server->custom.emplace("SELECT name", PgResult{{{"name", kText}}, {{"a"}}});
  auto r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_pg_query_up", {{"query", "names"}}) == 0.0);
  BOOST_TEST(*Value(r, "opswatch_pg_up") == 1.0);
}

BOOST_AUTO_TEST_CASE(IntervalRepublishesTheLastResult) {
  Fixture f({Query("slow_rows", "SELECT slow", Millis(300'000))});
  f.server->custom.emplace("SELECT slow", PgResult{{{"value", kInt4}}, {{"1"}}});
  auto count = [&] {
    return std::count(f.server->queries.begin(), f.server->queries.end(), "SELECT slow");
  };
  f.Run();
  BOOST_TEST(count() == 1);
  f.server->custom.at("SELECT slow") = PgResult{{{"value", kInt4}}, {{"2"}}};
  f.clock.Advance(std::chrono::seconds(30));
  auto r = f.Run();
  BOOST_TEST(count() == 1);  // not due yet
  BOOST_TEST(*Value(r, "slow_rows") == 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_query_up", {{"query", "slow_rows"}}) == 1.0);
  f.clock.Advance(std::chrono::seconds(270));
  r = f.Run();
  BOOST_TEST(count() == 2);
  BOOST_TEST(*Value(r, "slow_rows") == 2.0);
}

BOOST_AUTO_TEST_CASE(ServerDownThenBack) {
  Fixture f({Query("rows", "SELECT rows", Millis(300'000))});
  f.server->custom.emplace("SELECT rows", PgResult{{{"value", kInt4}}, {{"3"}}});
  BOOST_TEST(*Value(f.Run(), "opswatch_pg_up") == 1.0);
  BOOST_TEST(f.server->connects == 1);
  f.server->accepting = false;
  auto down = f.Run();
  BOOST_TEST(*Value(down, "opswatch_pg_up") == 0.0);
  BOOST_TEST(!down.status.ok());
  BOOST_TEST(down.status.message() == "connect: connection refused");
  BOOST_TEST(*Value(down, "opswatch_pg_query_up", {{"query", "rows"}}) == 0.0);
  BOOST_TEST(Find(down, "rows") == nullptr);
  BOOST_TEST(Find(down, "opswatch_pg_ping_duration_seconds")->samples.empty());
  f.server->accepting = true;
  f.clock.Advance(std::chrono::seconds(30));  // well inside the query's 5m interval
  auto back = f.Run();
  BOOST_TEST(back.status.ok(), back.status.message());
  BOOST_TEST(*Value(back, "opswatch_pg_up") == 1.0);
  BOOST_TEST(*Value(back, "rows") == 3.0);  // re-run at once after the outage
  BOOST_TEST(f.server->connects == 3);
}

BOOST_AUTO_TEST_CASE(ClientDeadlinesLeaveRoomForTheCancel) {
  Fixture f({Query("rows", "SELECT rows")});
  f.server->custom.emplace("SELECT rows", PgResult{{{"value", kInt4}}, {{"3"}}});
  SteadyTime start = f.clock.SteadyNow();
  f.Run();
  // Plenty of budget: the query's own timeout plus a little slack.
  BOOST_TEST((f.server->deadlines.back() == start + Millis(2'250)));
  BOOST_TEST(f.server->statement_timeouts.back().count() == 2000);
  // Built-ins: the run's deadline minus the cancel grace.
  BOOST_TEST((f.server->deadlines.front() == start + Millis(10'000) - kPgCancelGrace));
  f.Run(Millis(1'000));  // a tight run: the cancel grace still fits before the run's deadline
  BOOST_TEST((f.server->deadlines.back() == start + Millis(1'000) - kPgCancelGrace));
}

BOOST_AUTO_TEST_CASE(OneConnectionAcrossRuns) {
  Fixture f({Query("rows", "SELECT rows")});
  f.server->custom.emplace("SELECT rows", PgResult{{{"value", kInt4}}, {{"3"}}});
  for (int i = 0; i < 50; ++i) f.Run();
  BOOST_TEST(f.server->connects == 1);
}

}  // namespace
}  // namespace opswatch
