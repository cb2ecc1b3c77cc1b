#include "collectors/postgres/postgres_collector.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "collectors/postgres/postgres_metrics.hpp"
#include "collectors/postgres/postgres_rows.hpp"
#include "core/utf8.hpp"

namespace opswatch {
namespace {

// A custom query's client deadline is its statement_timeout plus this, so the server's own
// timeout (a clean error, connection kept) normally fires first and PQcancel is the fallback.
constexpr Millis kClientSlack{250};

// pg_stat_activity.state values, published with 0 so the series do not come and go.
constexpr const char* kConnectionStates[] = {"active",
                                             "idle",
                                             "idle in transaction",
                                             "idle in transaction (aborted)",
                                             "fastpath function call",
                                             "disabled"};

constexpr const char* kSettingsSql =
    "SELECT split_part(current_setting('server_version'), ' ', 1) AS server_version,"
    " current_setting('max_connections')::float8 AS max_connections,"
    " pg_is_in_recovery()::int AS in_recovery,"
    // On a replica with nothing left to replay the lag is 0, not the age of the last commit.
    " CASE WHEN pg_is_in_recovery() THEN"
    "  CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    "  ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 END"
    " END AS replication_lag_seconds";

constexpr const char* kConnectionsSql =
    "SELECT COALESCE(state, 'unknown') AS state, count(*)::float8 AS value"
    " FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1";

// Databases we may not connect to have no size for us (pg_database_size would fail the query).
constexpr const char* kDatabaseSizesSql =
    "SELECT datname, CASE WHEN has_database_privilege(oid, 'CONNECT')"
    " THEN pg_database_size(oid)::float8 END AS value"
    " FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname";

// The client deadline for statements of a run that must end by `run_deadline`: early enough that
// a cancel and its grace period still fit (when the run's budget allows).
SteadyTime StatementDeadline(SteadyTime run_deadline, SteadyTime now) {
  return std::max(now + Millis(1), run_deadline - kPgCancelGrace);
}

Millis Remaining(SteadyTime deadline, SteadyTime now) {
  return std::max(Millis(1), std::chrono::ceil<Millis>(deadline - now));
}

std::optional<double> ToDouble(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text->c_str(), &end);
  if (end == text->c_str() || *end != '\0') return std::nullopt;
  return value;
}

void AppendError(std::string& errors, const std::string& error) {
  errors += (errors.empty() ? "" : "; ") + error;
}

}  // namespace

PostgresCollector::PostgresCollector(PostgresConfig config,
                                     std::unique_ptr<PgConnection> connection, Clock& clock,
                                     Logger& logger)
    : config_(std::move(config)),
      connection_(std::move(connection)),
      clock_(clock),
      logger_(logger),
      queries_(config_.queries.size()) {}

Status PostgresCollector::EnsureConnected(SteadyTime deadline, int& reconnects_left) {
  if (connection_->connected()) return Status::Ok();
  if (reconnects_left <= 0) return Status::Error("not connected");
  --reconnects_left;
  SteadyTime connect_deadline = std::min(deadline, clock_.SteadyNow() + config_.connect_timeout);
  return connection_->Connect(connect_deadline);
}

CollectResult PostgresCollector::Collect(const RunContext& ctx) {
  CollectResult result;
  std::string errors;
  int reconnects_left = 1;

  MetricFamily up = NewFamily(postgres_metrics::kUp);
  MetricFamily ping = NewFamily(postgres_metrics::kPingDuration);
  bool server_up = false;
  Status connected = EnsureConnected(ctx.deadline, reconnects_left);
  if (!connected.ok()) {
    AppendError(errors, connected.message());
  } else {
    SteadyTime start = clock_.SteadyNow();
    SteadyTime deadline = StatementDeadline(ctx.deadline, start);
    auto answer = connection_->Query("SELECT 1", Remaining(deadline, start), deadline);
    if (!answer && !connection_->connected() && reconnects_left > 0) {
      // The kept connection died since the last run (a server restart, a failover): one fresh
      // connection decides whether the server is up now, not the stale one.
      if (EnsureConnected(ctx.deadline, reconnects_left).ok()) {
        start = clock_.SteadyNow();
        answer = connection_->Query("SELECT 1", Remaining(deadline, start), deadline);
      }
    }
    if (answer) {
      server_up = true;
      ping.Add({}, ToSeconds(clock_.SteadyNow() - start));
    } else {
      AppendError(errors, "ping: " + answer.error());
    }
  }
  up.Add({}, server_up ? 1 : 0);
  result.families.push_back(std::move(up));
  result.families.push_back(std::move(ping));

  if (server_up) {
    Status builtins = CollectBuiltins(ctx.deadline, result.families);
    if (!builtins.ok()) AppendError(errors, builtins.message());
  }

  MetricFamily query_up = NewFamily(postgres_metrics::kQueryUp);
  MetricFamily query_duration = NewFamily(postgres_metrics::kQueryDuration);
  for (size_t i = 0; i < config_.queries.size(); ++i) {
    const PgQueryConfig& query = config_.queries[i];
    QueryState& state = queries_[i];
    if (server_up) {
      RunQuery(i, ctx, reconnects_left);
    } else {
      // Run again as soon as the server is back, whatever the query's interval.
      state = QueryState{};
      state.error = "server down";
    }
    Labels labels{{"query", query.metric}};
    query_up.Add(labels, state.up ? 1 : 0);
    if (state.ran) query_duration.Add(labels, state.duration_seconds);
  }
  result.families.push_back(std::move(query_up));
  result.families.push_back(std::move(query_duration));
  for (size_t i = 0; i < config_.queries.size(); ++i) {
    const QueryState& state = queries_[i];
    if (!state.up || state.samples.empty()) continue;
    const PgQueryConfig& query = config_.queries[i];
    MetricFamily family{query.metric, query.help, query.type, state.samples};
    result.families.push_back(std::move(family));
  }
  if (!errors.empty()) result.status = Status::Error(errors);
  return result;
}

Status PostgresCollector::CollectBuiltins(SteadyTime deadline, std::vector<MetricFamily>& out) {
  std::string errors;
  auto run = [&](const char* what, const char* sql) -> std::optional<PgResult> {
    SteadyTime now = clock_.SteadyNow();
    SteadyTime statement_deadline = StatementDeadline(deadline, now);
    auto rows = connection_->Query(sql, Remaining(statement_deadline, now), statement_deadline);
    if (!rows) {
      AppendError(errors, std::string(what) + ": " + rows.error());
      return std::nullopt;
    }
    return std::move(rows).value();
  };

  MetricFamily info = NewFamily(postgres_metrics::kInfo);
  MetricFamily max_connections = NewFamily(postgres_metrics::kMaxConnections);
  MetricFamily in_recovery = NewFamily(postgres_metrics::kInRecovery);
  MetricFamily lag = NewFamily(postgres_metrics::kReplicationLag);
  if (auto settings = run("settings", kSettingsSql); settings && settings->rows.size() == 1) {
    const auto& row = settings->rows[0];
    // Text from the server becomes label values: sanitised where it enters (core/utf8.hpp).
    info.Add({{"server_version", SanitizeUtf8(row[0].value_or(""))}}, 1);
    if (auto v = ToDouble(row[1])) max_connections.Add({}, *v);
    if (auto v = ToDouble(row[2])) in_recovery.Add({}, *v);
    if (auto v = ToDouble(row[3])) lag.Add({}, std::max(0.0, *v));
  }

  MetricFamily connections = NewFamily(postgres_metrics::kConnections);
  if (auto rows = run("connections", kConnectionsSql)) {
    std::map<std::string, double> by_state;
    for (const char* state : kConnectionStates) by_state[state] = 0;
    for (const auto& row : rows->rows) {
      if (auto v = ToDouble(row[1])) by_state[SanitizeUtf8(row[0].value_or("unknown"))] += *v;
    }
    for (const auto& [state, count] : by_state) connections.Add({{"state", state}}, count);
  }

  MetricFamily sizes = NewFamily(postgres_metrics::kDatabaseSize);
  if (auto rows = run("database sizes", kDatabaseSizesSql)) {
    for (const auto& row : rows->rows) {
      if (auto v = ToDouble(row[1]); v && row[0])
        sizes.Add({{"datname", SanitizeUtf8(*row[0])}}, *v);
    }
  }
  for (auto* family : {&info, &connections, &max_connections, &sizes, &in_recovery, &lag}) {
    out.push_back(std::move(*family));
  }
  return errors.empty() ? Status::Ok() : Status::Error(errors);
}

void PostgresCollector::RunQuery(size_t index, const RunContext& ctx, int& reconnects_left) {
  const PgQueryConfig& query = config_.queries[index];
  QueryState& state = queries_[index];
  SteadyTime now = clock_.SteadyNow();
  if (state.ran && query.interval.count() > 0 && now - state.last_run < query.interval) return;

  bool was_up = state.up;
  std::string old_error = state.error;
  state.ran = true;
  state.last_run = now;
  state.up = false;
  state.samples.clear();
  state.duration_seconds = 0;
  if (now >= ctx.deadline) {
    state.error = "not run: the collector's deadline had passed";
  } else if (Status connected = EnsureConnected(ctx.deadline, reconnects_left); !connected.ok()) {
    state.error = connected.message();
  } else {
    SteadyTime deadline =
        std::min(StatementDeadline(ctx.deadline, now), now + query.timeout + kClientSlack);
    auto rows = connection_->Query(query.sql, query.timeout, deadline);
    state.duration_seconds = ToSeconds(clock_.SteadyNow() - now);
    if (!rows) {
      state.error = rows.error();
    } else if (auto samples = RowsToSamples(*rows); !samples) {
      state.error = samples.error();
    } else {
      state.up = true;
      state.error.clear();
      state.samples = std::move(samples).value();
    }
  }
  if (!state.up && (was_up || state.error != old_error)) {
    logger_.Warn("postgres query failed", {{"query", query.metric}, {"error", state.error}});
  } else if (state.up && !was_up && !old_error.empty()) {
    logger_.Info("postgres query recovered", {{"query", query.metric}});
  }
}

}  // namespace opswatch
