// The shared PostgreSQL fixture really starts a server, answers SQL, and survives a restart.
#define BOOST_TEST_MODULE postgres_fixture
#include "tests/support/postgres_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <filesystem>

namespace opswatch::testing {
namespace {

BOOST_AUTO_TEST_CASE(StartsAndAnswersSelectOne) {
  PostgresServer server;
  BOOST_TEST(server.port() > 0);
  BOOST_TEST(std::filesystem::exists(server.BinDir() + "/pg_dump"));
  CommandResult r = server.Psql("SELECT 1");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  BOOST_TEST(r.out == "1\n");
}

BOOST_AUTO_TEST_CASE(StopAndStartKeepData) {
  PostgresServer server;
  BOOST_TEST_REQUIRE(server.Psql("CREATE TABLE t(x int); INSERT INTO t VALUES (42)").exit_code ==
                     0);
  server.Stop();
  BOOST_TEST(server.Psql("SELECT 1").exit_code != 0);
  server.Start();
  CommandResult r = server.Psql("SELECT x FROM t");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  BOOST_TEST(r.out == "42\n");
}

BOOST_AUTO_TEST_CASE(PasswordUsersNeedTheirPassword) {
  PostgresServer server;
  BOOST_TEST_REQUIRE(server.Psql("CREATE ROLE app LOGIN PASSWORD 's3cret'").exit_code == 0);
  CommandResult ok = RunCommand({server.BinDir() + "/psql", "-X", "-A", "-t", "-c", "SELECT 7",
                                 server.Uri("postgres", "app", "s3cret")});
  BOOST_TEST(ok.exit_code == 0, ok.err);
  BOOST_TEST(ok.out == "7\n");
  CommandResult bad = RunCommand({server.BinDir() + "/psql", "-X", "-w", "-c", "SELECT 7",
                                  server.Uri("postgres", "app", "wrong")});
  BOOST_TEST(bad.exit_code != 0);
  BOOST_TEST(bad.err.find("password authentication failed") != std::string::npos, bad.err);
}

}  // namespace
}  // namespace opswatch::testing
