// The PostgreSQL seam: one connection, queries with a server-side statement_timeout and a client
// deadline, nothing else. The collector talks to PgConnection so unit tests can fake a server;
// LibpqConnection is the real thing over libpq's non-blocking API, so no call blocks past the
// deadline it is given (a silent peer, a lock wait, a dead server).
//
// Secrets: the DSN is a Secret. Error texts from libpq can echo the connection string, the user or
// the password; every message that leaves this file is built without the DSN and passed through
// RedactSecret for the DSN and its password as a second belt.
// Thread-safety: not thread-safe; one collector run at a time uses a connection.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/secret.hpp"
#include "core/status.hpp"
#include "core/units.hpp"

namespace opswatch {

// The rows of one statement, as text (libpq's text format). NULL is nullopt.
struct PgResult {
  struct Column {
    std::string name;
    unsigned int type_oid = 0;  // pg_type oid: 20 int8, 23 int4, 701 float8, 1700 numeric, ...
  };
  std::vector<Column> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class PgConnection {
 public:
  virtual ~PgConnection() = default;
  // True when a connection is open and was healthy after the last call.
  virtual bool connected() const = 0;
  // Opens the connection (closing a broken one first); returns by `deadline`.
  virtual Status Connect(SteadyTime deadline) = 0;
  // Runs `sql` (one statement; the last result wins if several) with statement_timeout set to
  // `statement_timeout` on the server. When `deadline` passes first the query is cancelled
  // (PQcancel) and, if the server does not answer the cancel promptly, the connection is dropped.
  virtual Result<PgResult> Query(const std::string& sql, Millis statement_timeout,
                                 SteadyTime deadline) = 0;
  virtual void Close() = 0;
};

// After a query's deadline, how long Query() waits for the server to act on the cancel request
// before it drops the connection. Callers that must return by a hard deadline subtract it.
inline constexpr Millis kPgCancelGrace{500};

// What opswatch adds to every connection, unless the DSN sets the key itself.
struct PgSessionDefaults {
  Millis tcp_user_timeout{10'000};
  int keepalives_idle_seconds = 10;
  int keepalives_interval_seconds = 5;
  int keepalives_count = 3;
};

// Checks that libpq can parse `dsn` (URI or key=value). The error never quotes the DSN.
Status ValidateDsn(const Secret& dsn);

class LibpqConnection final : public PgConnection {
 public:
  LibpqConnection(Secret dsn, const Clock& clock, PgSessionDefaults defaults = {});
  ~LibpqConnection() override;
  LibpqConnection(const LibpqConnection&) = delete;
  LibpqConnection& operator=(const LibpqConnection&) = delete;

  bool connected() const override;
  Status Connect(SteadyTime deadline) override;
  Result<PgResult> Query(const std::string& sql, Millis statement_timeout,
                         SteadyTime deadline) override;
  void Close() override;

 private:
  struct Handle;  // owns the PGconn (RAII)
  // Removes the DSN and its password from a libpq message.
  std::string Redact(std::string text) const;
  // Sends a cancel request without blocking this thread (PQcancel itself has no timeout).
  void CancelInBackground();

  Secret dsn_;
  std::vector<std::string> redact_;  // the DSN and its password (raw and as written in a URI)
  const Clock& clock_;
  PgSessionDefaults defaults_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace opswatch
