// The postgres collector against a real PostgreSQL (started by PostgresServer): values equal
// psql's, a sleeping query is cancelled while others publish, restarts and outages, wrong
// passwords, and 1,000 cycles on one backend with a flat fd count.
#define BOOST_TEST_MODULE postgres_collector_integration
#include "collectors/postgres/postgres_collector.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <mutex>

#include "collectors/postgres/postgres_connection.hpp"
#include "tests/support/metric_lookup.hpp"
#include "tests/support/postgres_fixture.hpp"

namespace opswatch {
namespace {

using testing::PostgresServer;
using namespace std::chrono_literals;

// Keeps every log line so tests can check that no secret was logged.
class CapturingLogger final : public Logger {
 public:
  bool Enabled(LogLevel) const override { return true; }
  void Log(LogLevel, std::string_view message, std::initializer_list<LogField> fields) override {
    std::lock_guard lock(mu_);
    text_ += std::string(message);
    for (const auto& f : fields) text_ += " " + f.key + "=" + f.value;
    text_ += "\n";
  }
  std::string text() const {
    std::lock_guard lock(mu_);
    return text_;
  }

 private:
  mutable std::mutex mu_;
  std::string text_;  // GUARDED_BY(mu_)
};

PgQueryConfig Query(std::string metric, std::string sql, Millis timeout = 5s) {
  PgQueryConfig q;
  q.metric = std::move(metric);
  q.help = "test query";
  q.sql = std::move(sql);
  q.timeout = timeout;
  return q;
}

struct Harness {
  RealClock clock;
  CapturingLogger logger;
  std::unique_ptr<PostgresCollector> collector;

  Harness(const std::string& dsn, std::vector<PgQueryConfig> queries = {}) {
    PostgresConfig config;
    config.dsn = Secret(dsn);
    config.connect_timeout = 3s;
    config.queries = std::move(queries);
    collector = std::make_unique<PostgresCollector>(
        config, std::make_unique<LibpqConnection>(config.dsn, clock), clock, logger);
  }
  CollectResult Run(Millis budget = 10s) {
    return collector->Collect({clock.SteadyNow() + budget});
  }
};

const MetricFamily* Find(const CollectResult& r, const std::string& name) {
  return testing::FindFamily(r.families, name);
}

std::optional<double> Value(const CollectResult& r, const std::string& name,
                            const Labels& labels = {}) {
  return testing::SeriesValue(r.families, name, labels);
}

std::string PsqlValue(const PostgresServer& server, const std::string& sql) {
  auto r = server.Psql(sql);
  BOOST_TEST_REQUIRE(r.exit_code == 0, sql + ": " + r.err);
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string Everything(const CollectResult& r, const CapturingLogger& logger) {
  std::string text = r.status.message() + "\n" + logger.text();
  for (const auto& f : r.families) {
    text += f.name + " " + f.help + "\n";
    for (const auto& s : f.samples) text += s.labels.ToString() + "\n";
  }
  return text;
}

size_t OpenFds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

int OpswatchBackends(const PostgresServer& server) {
  return std::stoi(PsqlValue(
      server, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'opswatch'"));
}

BOOST_AUTO_TEST_CASE(ValuesEqualPsql) {
  PostgresServer server;
  BOOST_TEST_REQUIRE(server
                         .Psql("CREATE TABLE audit_logs(id serial, kind text);"
                               "INSERT INTO audit_logs(kind) SELECT CASE WHEN g % 3 = 0 THEN "
                               "'login' ELSE 'edit' END FROM generate_series(1, 1234) g;")
                         .exit_code == 0);
  Harness h(server.Uri(),
            {Query("opswatch_pg_audit_logs_rows", "SELECT count(*) AS value FROM audit_logs"),
             Query("audit_logs_by_kind", "SELECT kind, count(*) FROM audit_logs GROUP BY kind"),
             Query("read_only_session",
                   "SELECT current_setting('default_transaction_read_only') = 'on' AS value"),
             Query("write_attempt", "CREATE TABLE should_fail(x int)")});
  auto r = h.Run();
  BOOST_TEST(r.status.ok(), r.status.message());
  BOOST_TEST(*Value(r, "opswatch_pg_up") == 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_ping_duration_seconds") > 0.0);
  BOOST_TEST(*Value(r, "opswatch_pg_audit_logs_rows") ==
             std::stod(PsqlValue(server, "SELECT count(*) FROM audit_logs")));
  BOOST_TEST(*Value(r, "audit_logs_by_kind", {{"kind", "login"}}) ==
             std::stod(PsqlValue(server, "SELECT count(*) FROM audit_logs WHERE kind='login'")));
  BOOST_TEST(*Value(r, "audit_logs_by_kind", {{"kind", "edit"}}) == 823.0);
  BOOST_TEST(*Value(r, "read_only_session") == 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_query_up", {{"query", "write_attempt"}}) == 0.0);
  BOOST_TEST(h.logger.text().find("read-only transaction") != std::string::npos, h.logger.text());
  BOOST_TEST(PsqlValue(server, "SELECT count(*) FROM pg_class WHERE relname = 'should_fail'") ==
             "0");

  std::string version = PsqlValue(server, "SELECT split_part(version(), ' ', 2)");
  BOOST_TEST(*Value(r, "opswatch_pg_info", {{"server_version", version}}) == 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_max_connections") ==
             std::stod(PsqlValue(server, "SHOW max_connections")));
  BOOST_TEST(*Value(r, "opswatch_pg_in_recovery") == 0.0);
  BOOST_TEST(Find(r, "opswatch_pg_replication_lag_seconds")->samples.empty());
  BOOST_TEST(*Value(r, "opswatch_pg_database_size_bytes", {{"datname", "postgres"}}) ==
             std::stod(PsqlValue(server, "SELECT pg_database_size('postgres')")));
  BOOST_TEST(!Value(r, "opswatch_pg_database_size_bytes", {{"datname", "template0"}}));
  // The collector's own backend was active while it counted.
  BOOST_TEST(*Value(r, "opswatch_pg_connections", {{"state", "active"}}) >= 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_connections", {{"state", "idle in transaction"}}) == 0.0);
  BOOST_TEST(OpswatchBackends(server) == 1);
}

BOOST_AUTO_TEST_CASE(SleepingQueryIsCancelledWhileOthersPublish) {
  PostgresServer server;
  // The first sleeper hits the server's statement_timeout; the second disables it, so only the
  // client deadline and PQcancel can stop it.
  Harness h(server.Uri(), {Query("sleeper", "SELECT pg_sleep(30) AS value", 500ms),
                           Query("stubborn_sleeper",
                                 "SET statement_timeout = 0; SELECT pg_sleep(31) AS value", 500ms),
                           Query("quick", "SELECT 42 AS value")});
  auto start = std::chrono::steady_clock::now();
  auto r = h.Run();
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(took < 5s);
  BOOST_TEST(*Value(r, "opswatch_pg_up") == 1.0);
  BOOST_TEST(*Value(r, "opswatch_pg_query_up", {{"query", "sleeper"}}) == 0.0);
  BOOST_TEST(*Value(r, "opswatch_pg_query_up", {{"query", "stubborn_sleeper"}}) == 0.0);
  BOOST_TEST(*Value(r, "opswatch_pg_query_up", {{"query", "quick"}}) == 1.0);
  BOOST_TEST(*Value(r, "quick") == 42.0);
  // 30 s uncancelled; 500 ms statement_timeout plus room for a loaded machine under ASan.
  BOOST_TEST(*Value(r, "opswatch_pg_query_duration_seconds", {{"query", "sleeper"}}) < 4.0);
  std::string log = h.logger.text();
  BOOST_TEST(log.find("statement timeout") != std::string::npos, log);
  BOOST_TEST(log.find("client deadline passed") != std::string::npos, log);
  BOOST_TEST(PsqlValue(server,
                       "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                       "AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep(3%'") == "0");
  BOOST_TEST(OpswatchBackends(server) == 1);  // cancelled, not reconnected
}

BOOST_AUTO_TEST_CASE(ServerStoppedThenStarted) {
  PostgresServer server;
  Harness h(server.Uri(), {Query("quick", "SELECT 1 AS value")});
  BOOST_TEST(*Value(h.Run(), "opswatch_pg_up") == 1.0);

  server.Stop();
  auto down = h.Run();
  BOOST_TEST(*Value(down, "opswatch_pg_up") == 0.0);
  BOOST_TEST(!down.status.ok());
  BOOST_TEST(*Value(down, "opswatch_pg_query_up", {{"query", "quick"}}) == 0.0);
  auto again = h.Run();  // nothing listening now: a clean connect error
  BOOST_TEST(*Value(again, "opswatch_pg_up") == 0.0);
  BOOST_TEST(again.status.message().find("connect: ") == 0u, again.status.message());

  server.Start();
  auto back = h.Run();
  BOOST_TEST(back.status.ok(), back.status.message());
  BOOST_TEST(*Value(back, "opswatch_pg_up") == 1.0);
  BOOST_TEST(*Value(back, "quick") == 1.0);

  // A restart between two runs is noticed and healed within the same run.
  server.Stop();
  server.Start();
  auto healed = h.Run();
  BOOST_TEST(*Value(healed, "opswatch_pg_up") == 1.0, healed.status.message());
  BOOST_TEST(OpswatchBackends(server) == 1);
}

BOOST_AUTO_TEST_CASE(SilentServerRespectsTheDeadline) {
  // A listener that completes the TCP handshake but never says a word (a hung server, a
  // black-holing proxy): the connect must give up at the run's deadline.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  BOOST_TEST_REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  BOOST_TEST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  BOOST_TEST_REQUIRE(listen(fd, 8) == 0);
  BOOST_TEST_REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  Harness h("postgresql://app:pw@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/app");
  auto start = std::chrono::steady_clock::now();
  auto r = h.Run(700ms);
  auto took = std::chrono::steady_clock::now() - start;
  close(fd);
  BOOST_TEST(*Value(r, "opswatch_pg_up") == 0.0);
  BOOST_TEST(took >= 650ms);
  BOOST_TEST(took < 3s);  // a silent peer holds the connect forever; 3 s is the 700 ms + slack
  BOOST_TEST(r.status.message() == "connect: no connection before the deadline (connect_timeout)");
}

BOOST_AUTO_TEST_CASE(WrongPasswordIsClearAndNeverShown) {
  PostgresServer server;
  BOOST_TEST_REQUIRE(server.Psql("CREATE ROLE app LOGIN PASSWORD 'right-pw-1'").exit_code == 0);
  const std::string wrong = "Wr0ng-Pa55word";
  for (const std::string& dsn : {server.Uri("postgres", "app", wrong),
                                 "host=127.0.0.1 port=" + std::to_string(server.port()) +
                                     " user=app dbname=postgres password=" + wrong}) {
    Harness h(dsn);
    auto r = h.Run();
    BOOST_TEST(*Value(r, "opswatch_pg_up") == 0.0);
    BOOST_TEST(r.status.message().find("password authentication failed for user \"app\"") !=
                   std::string::npos,
               r.status.message());
    std::string all = Everything(r, h.logger);
    BOOST_TEST(all.find(wrong) == std::string::npos, all);
    BOOST_TEST(all.find(dsn) == std::string::npos, all);
  }
  Harness good(server.Uri("postgres", "app", "right-pw-1"));
  BOOST_TEST(*Value(good.Run(), "opswatch_pg_up") == 1.0);
}

BOOST_AUTO_TEST_CASE(ThousandCyclesOneBackendFlatFds) {
  PostgresServer server;
  Harness h(server.Uri(), {Query("quick", "SELECT 1 AS value")});
  BOOST_TEST_REQUIRE(*Value(h.Run(), "opswatch_pg_up") == 1.0);
  size_t fds_before = OpenFds();
  for (int i = 0; i < 1000; ++i) {
    auto r = h.Run();
    if (!r.status.ok() || *Value(r, "opswatch_pg_query_up", {{"query", "quick"}}) != 1.0) {
      BOOST_FAIL("cycle " + std::to_string(i) + ": " + r.status.message());
    }
  }
  BOOST_TEST(OpenFds() == fds_before);
  BOOST_TEST(OpswatchBackends(server) == 1);
}

}  // namespace
}  // namespace opswatch
