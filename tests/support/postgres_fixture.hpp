// A throwaway PostgreSQL server for integration tests: initdb in a fresh temp dir, started on a
// free 127.0.0.1 port with pg_ctl, stopped and removed when the object dies. As root every server
// binary runs as the `postgres` user (PostgreSQL refuses to run as root).
//
// Authentication: the superuser `postgres` is trusted over 127.0.0.1 and the Unix socket (no
// password needed); every other role authenticates with scram-sha-256, so tests can create a
// password user (CREATE ROLE ... LOGIN PASSWORD '...') and exercise wrong-password errors.
//
// Not thread-safe: one test thread drives one server.
#pragma once

#include <string>

#include "tests/support/process.hpp"

namespace opswatch::testing {

class PostgresServer {
 public:
  PostgresServer();   // throws std::runtime_error with the server log on failure
  ~PostgresServer();  // immediate stop, then removes the data dir
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // Directory of the server's binaries (initdb, pg_ctl, psql, pg_dump), the newest installed
  // major version, e.g. /usr/lib/postgresql/15/bin.
  std::string BinDir() const { return bin_dir_; }
  // libpq URI: postgresql://user[:password]@127.0.0.1:port/db
  std::string Uri(const std::string& db = "postgres", const std::string& user = "postgres",
                  const std::string& password = "") const;
  // Runs SQL through the real psql as the superuser (-X -A -t -v ON_ERROR_STOP=1).
  CommandResult Psql(const std::string& sql, const std::string& db = "postgres") const;
  // Fast stop; the data directory is kept so Start() brings the same cluster back.
  void Stop();
  // Starts again on the same port. Throws std::runtime_error with the log on failure.
  void Start();
  bool running() const { return running_; }
  // The server's log so far (for failure messages).
  std::string Log() const;

 private:
  // Runs a server binary as the postgres user when we are root.
  CommandResult RunAsServerUser(const std::vector<std::string>& argv) const;
  bool TryStart(std::string* error);

  std::string bin_dir_;
  std::string root_dir_;  // temp dir: data/, server.log, the Unix socket
  std::string data_dir_;
  std::string log_path_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace opswatch::testing
