// postgres: liveness, the numbers runbooks ask for, and custom queries, over one long-lived
// connection per instance (reconnected when broken, so a run never leaves a second backend).
// Every statement runs under statement_timeout and a client deadline that cancels it, so a lock
// wait or a dead server costs one run's deadline, never a hang. A failed custom query marks only
// that query down (opswatch_pg_query_up{query} 0); the others still publish.
// Thread-safety: not thread-safe; the scheduler never runs Collect() concurrently for one instance.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "collectors/collector.hpp"
#include "collectors/postgres/postgres_config.hpp"
#include "collectors/postgres/postgres_connection.hpp"

namespace opswatch {

class PostgresCollector final : public Collector {
 public:
  PostgresCollector(PostgresConfig config, std::unique_ptr<PgConnection> connection, Clock& clock,
                    Logger& logger);
  CollectResult Collect(const RunContext& ctx) override;

 private:
  // What the last run of one custom query left, republished until it runs again.
  struct QueryState {
    bool ran = false;
    SteadyTime last_run{};
    bool up = false;
    double duration_seconds = 0;
    std::vector<Sample> samples;
    std::string error;
  };

  // Connects when there is no healthy connection; at most `reconnects_left` attempts per run.
  Status EnsureConnected(SteadyTime deadline, int& reconnects_left);
  Status CollectBuiltins(SteadyTime deadline, std::vector<MetricFamily>& out);
  void RunQuery(size_t index, const RunContext& ctx, int& reconnects_left);

  PostgresConfig config_;
  std::unique_ptr<PgConnection> connection_;
  Clock& clock_;
  Logger& logger_;
  std::vector<QueryState> queries_;  // parallel to config_.queries
};

}  // namespace opswatch
