#include "collectors/postgres/postgres_rules.hpp"

#include "collectors/postgres/postgres_metrics.hpp"
#include "core/humanize.hpp"

namespace opswatch {

namespace {

using std::chrono::minutes;

}  // namespace

std::vector<AlertRuleText> PostgresBuiltinRules(const std::string& collector,
                                                const Thresholds& thresholds) {
  std::vector<AlertRuleText> rules;
  rules.push_back(
      {"PostgresDown", CollectorSelector(postgres_metrics::kUp, collector) + " == 0", minutes(1),
       "critical", "PostgreSQL is unreachable ({{ $labels.collector }})",
       "opswatch cannot connect to or query the database of collector {{ $labels.collector }}.",
       "Check the server (pg_isready, systemctl status postgresql, its log), the network and the "
       "credentials; the collector's lastError on /health says which."});
  if (auto ratio = FindThreshold(thresholds, "connections_ratio")) {
    rules.push_back(
        {"PostgresConnectionsHigh",
         "sum without (state) (" + CollectorSelector(postgres_metrics::kConnections, collector) +
             ") / " + CollectorSelector(postgres_metrics::kMaxConnections, collector) + " > " +
             FormatThreshold(*ratio),
         minutes(5), "warning", "PostgreSQL connections at {{ $value | humanizePercentage }}",
         "{{ $value | humanizePercentage }} of max_connections are in use, more than " +
             HumanizePercentage(*ratio) + ".",
         "SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1,2,3 "
         "shows who holds them; look for idle-in-transaction sessions and pool sizes."});
  }
  if (auto lag = FindThreshold(thresholds, "replication_lag")) {
    rules.push_back(
        {"PostgresReplicationLag",
         CollectorSelector(postgres_metrics::kReplicationLag, collector) + " > " +
             FormatThreshold(*lag),
         minutes(5), "warning", "Replica is {{ $value | humanizeDuration }} behind",
         "The replica's replay lag is {{ $value | humanizeDuration }}, more than " +
             HumanizeDuration(*lag) + ".",
         "Check the primary's pg_stat_replication, the network between them and long-running "
         "queries on the replica that block replay."});
  }
  rules.push_back(
      {"PostgresQueryFailing", CollectorSelector(postgres_metrics::kQueryUp, collector) + " == 0",
       minutes(5), "warning", "Custom query {{ $labels.query }} fails",
       "The configured query {{ $labels.query }} of collector {{ $labels.collector }} fails or "
       "times out.",
       "Run the query by hand with the collector's credentials; a missing table, a permission or "
       "a lock is the usual cause."});
  return rules;
}

}  // namespace opswatch
