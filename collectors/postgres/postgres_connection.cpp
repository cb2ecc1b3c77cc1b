#include "collectors/postgres/postgres_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <map>
#include <thread>

namespace opswatch {
namespace {

using PgResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ConninfoPtr = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

// libpq quotes pieces of the connection string in its parse errors ("missing "=" after "..."");
// those pieces may be the password, so every quoted piece goes.
std::string WithoutQuotedParts(const std::string& text) {
  std::string out;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      if (!quoted) out += "\"...\"";
      quoted = !quoted;
    } else if (!quoted) {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

Result<ConninfoPtr> ParseConninfo(const std::string& dsn) {
  if (dsn.empty()) return Result<ConninfoPtr>::Error("dsn is empty");
  char* error = nullptr;
  ConninfoPtr options(PQconninfoParse(dsn.c_str(), &error));
  if (!options) {
    std::string message = error ? WithoutQuotedParts(error) : "out of memory";
    if (error) PQfreemem(error);
    return Result<ConninfoPtr>::Error(
        "cannot parse dsn (use a postgresql:// URI or key=value "
        "pairs): " +
        RedactSecret(message, dsn));
  }
  return options;
}

// The password as written in a URI's userinfo (still percent-encoded), or "".
std::string UriPassword(const std::string& dsn) {
  size_t scheme = dsn.find("://");
  if (scheme == std::string::npos) return "";
  size_t start = scheme + 3;
  size_t at = dsn.find('@', start);
  size_t slash = dsn.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return "";
  size_t colon = dsn.find(':', start);
  if (colon == std::string::npos || colon > at) return "";
  return dsn.substr(colon + 1, at - colon - 1);
}

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

enum class WaitResult { kReady, kTimeout, kError };

// Waits until `fd` is readable (or writable) or `deadline` passes. EINTR restarts the wait.
WaitResult WaitSocket(int fd, bool for_write, SteadyTime deadline, const Clock& clock) {
  if (fd < 0) return WaitResult::kError;
  for (;;) {
    auto remaining = std::chrono::ceil<Millis>(deadline - clock.SteadyNow());
    if (remaining.count() <= 0) return WaitResult::kTimeout;
    pollfd p{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    int rc = poll(&p, 1, static_cast<int>(std::min<int64_t>(remaining.count(), 60'000)));
    if (rc > 0) return WaitResult::kReady;
    if (rc < 0 && errno != EINTR) return WaitResult::kError;
  }
}

PgResult ToPgResult(const PGresult* r) {
  PgResult out;
  int fields = PQnfields(r);
  for (int c = 0; c < fields; ++c) {
    out.columns.push_back({PQfname(r, c), static_cast<unsigned int>(PQftype(r, c))});
  }
  int tuples = PQntuples(r);
  out.rows.reserve(tuples);
  for (int row = 0; row < tuples; ++row) {
    std::vector<std::optional<std::string>> values;
    values.reserve(fields);
    for (int c = 0; c < fields; ++c) {
      if (PQgetisnull(r, row, c)) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(PQgetvalue(r, row, c), PQgetlength(r, row, c)));
      }
    }
    out.rows.push_back(std::move(values));
  }
  return out;
}

std::string ResultError(const PGresult* r) {
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char* sqlstate = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string text = primary ? primary : Trim(PQresultErrorMessage(r));
  if (sqlstate) text += " (SQLSTATE " + std::string(sqlstate) + ")";
  return text;
}

}  // namespace

struct LibpqConnection::Handle {
  explicit Handle(PGconn* c) : conn(c) {}
  ~Handle() { PQfinish(conn); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  PGconn* conn;
};

Status ValidateDsn(const Secret& dsn) {
  auto parsed = ParseConninfo(dsn.Reveal());
  return parsed ? Status::Ok() : parsed.status();
}

LibpqConnection::LibpqConnection(Secret dsn, const Clock& clock, PgSessionDefaults defaults)
    : dsn_(std::move(dsn)), clock_(clock), defaults_(defaults) {
  redact_.push_back(dsn_.Reveal());
  if (auto parsed = ParseConninfo(dsn_.Reveal())) {
    for (PQconninfoOption* o = parsed->get(); o->keyword; ++o) {
      if (std::string(o->keyword) == "password" && o->val && *o->val) redact_.push_back(o->val);
    }
  }
  if (std::string raw = UriPassword(dsn_.Reveal()); !raw.empty()) redact_.push_back(raw);
}

LibpqConnection::~LibpqConnection() = default;

bool LibpqConnection::connected() const {
  return handle_ && PQstatus(handle_->conn) == CONNECTION_OK;
}

void LibpqConnection::Close() { handle_.reset(); }

std::string LibpqConnection::Redact(std::string text) const {
  for (const auto& secret : redact_) text = RedactSecret(std::move(text), secret);
  return text;
}

Status LibpqConnection::Connect(SteadyTime deadline) {
  handle_.reset();
  auto parsed = ParseConninfo(dsn_.Reveal());
  if (!parsed) return parsed.status();
  std::map<std::string, std::string> from_dsn;
  for (PQconninfoOption* o = parsed->get(); o->keyword; ++o) {
    if (o->val) from_dsn[o->keyword] = o->val;
  }
  // Later keywords override what the expanded dbname (the DSN) set, so add only what the DSN
  // leaves open; the read-only session is always appended to the DSN's own options.
  std::vector<std::pair<std::string, std::string>> params = {{"dbname", dsn_.Reveal()}};
  auto add_default = [&](const std::string& key, const std::string& value) {
    if (!from_dsn.count(key)) params.emplace_back(key, value);
  };
  add_default("application_name", "opswatch");
  add_default("keepalives", "1");
  add_default("keepalives_idle", std::to_string(defaults_.keepalives_idle_seconds));
  add_default("keepalives_interval", std::to_string(defaults_.keepalives_interval_seconds));
  add_default("keepalives_count", std::to_string(defaults_.keepalives_count));
  add_default("tcp_user_timeout", std::to_string(defaults_.tcp_user_timeout.count()));
  std::string options = from_dsn.count("options") ? from_dsn["options"] + " " : "";
  params.emplace_back("options", options + "-c default_transaction_read_only=on");

  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (const auto& [k, v] : params) {
    keywords.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);

  auto handle = std::make_unique<Handle>(
      PQconnectStartParams(keywords.data(), values.data(), /*expand_dbname=*/1));
  if (!handle->conn) return Status::Error("connect: out of memory");
  if (PQstatus(handle->conn) == CONNECTION_BAD) {
    return Status::Error("connect: " + Redact(Trim(PQerrorMessage(handle->conn))));
  }
  // The documented PQconnectPoll loop, with our deadline on every wait.
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) {
      return Status::Error("connect: " + Redact(Trim(PQerrorMessage(handle->conn))));
    }
    WaitResult waited =
        WaitSocket(PQsocket(handle->conn), state == PGRES_POLLING_WRITING, deadline, clock_);
    if (waited == WaitResult::kTimeout) {
      return Status::Error("connect: no connection before the deadline (connect_timeout)");
    }
    if (waited == WaitResult::kError) {
      return Status::Error("connect: " + Redact(Trim(PQerrorMessage(handle->conn))));
    }
    state = PQconnectPoll(handle->conn);
  }
  if (PQsetnonblocking(handle->conn, 1) != 0) {
    return Status::Error("connect: cannot switch to non-blocking mode");
  }
  handle_ = std::move(handle);
  return Status::Ok();
}

void LibpqConnection::CancelInBackground() {
  PGcancel* cancel = PQgetCancel(handle_->conn);
  if (!cancel) return;
  // PQcancel opens its own connection and blocks without a timeout; a detached thread owning the
  // PGcancel keeps that from stalling the run. It touches nothing else of ours.
  std::thread([cancel] {
    char error[256];
    PQcancel(cancel, error, sizeof(error));
    PQfreeCancel(cancel);
  }).detach();
}

Result<PgResult> LibpqConnection::Query(const std::string& sql, Millis statement_timeout,
                                        SteadyTime deadline) {
  if (!connected()) return Result<PgResult>::Error("not connected");
  PGconn* conn = handle_->conn;
  // One round trip: the SET and the statement travel in one simple-query message; since
  // PostgreSQL 13 statement_timeout applies to each statement of such a message separately.
  std::string text =
      "SET statement_timeout = " + std::to_string(std::max<int64_t>(1, statement_timeout.count())) +
      "; " + sql;
  auto broken = [&](const std::string& what) {
    std::string message = what + ": " + Redact(Trim(PQerrorMessage(conn)));
    Close();
    return Result<PgResult>::Error(message);
  };
  if (!PQsendQuery(conn, text.c_str())) return broken("send");
  for (;;) {
    int flushed = PQflush(conn);
    if (flushed == 0) break;
    if (flushed < 0) return broken("send");
    if (WaitSocket(PQsocket(conn), true, deadline, clock_) != WaitResult::kReady) {
      Close();  // half a query on the wire: the connection is unusable
      return Result<PgResult>::Error("query not sent before the deadline; connection dropped");
    }
  }

  std::optional<PgResult> last_rows;
  std::string error;
  bool cancelled = false;
  SteadyTime wait_until = deadline;
  for (;;) {
    if (!PQconsumeInput(conn)) return broken("receive");
    bool finished = false;
    while (!PQisBusy(conn)) {
      PgResultPtr r(PQgetResult(conn), &PQclear);
      if (!r) {
        finished = true;
        break;
      }
      switch (PQresultStatus(r.get())) {
        case PGRES_TUPLES_OK:
          last_rows = ToPgResult(r.get());
          break;
        case PGRES_COMMAND_OK:
        case PGRES_EMPTY_QUERY:
          break;
        case PGRES_COPY_IN:
        case PGRES_COPY_OUT:
        case PGRES_COPY_BOTH:
          Close();
          return Result<PgResult>::Error("COPY is not supported in queries; connection dropped");
        default:
          if (error.empty()) error = Redact(ResultError(r.get()));
      }
    }
    if (finished) break;
    WaitResult waited = WaitSocket(PQsocket(conn), false, wait_until, clock_);
    if (waited == WaitResult::kError) return broken("receive");
    if (waited == WaitResult::kTimeout) {
      if (cancelled) {
        Close();
        return Result<PgResult>::Error(
            "query passed its deadline and did not stop after a cancel request; connection "
            "dropped");
      }
      CancelInBackground();
      cancelled = true;
      wait_until = clock_.SteadyNow() + kPgCancelGrace;
    }
  }
  if (PQstatus(conn) != CONNECTION_OK) return broken("connection lost");
  if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
    // A query that leaves a transaction open would hold its snapshot and locks between runs.
    Close();
    return Result<PgResult>::Error("query left a transaction open; connection dropped");
  }
  if (cancelled) return Result<PgResult>::Error("query cancelled: client deadline passed");
  if (!error.empty()) return Result<PgResult>::Error(error);
  if (!last_rows) return Result<PgResult>::Error("query returned no rows result");
  return std::move(*last_rows);
}

}  // namespace opswatch
