// Every metric family the postgres collector publishes, declared once (README, "type: postgres"):
// Collect fills them, the built-in rules select them, and tests/unit/readme_metrics_test.cpp holds
// the README's table to kFamilies. Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::postgres_metrics {

inline constexpr MetricFamilySpec kUp{
    "opswatch_pg_up", MetricType::kGauge,
    "1 when the server accepted the connection and answered SELECT 1."};
inline constexpr MetricFamilySpec kPingDuration{
    "opswatch_pg_ping_duration_seconds", MetricType::kGauge,
    "Round-trip time of SELECT 1 on the collector's connection."};
inline constexpr MetricFamilySpec kInfo{"opswatch_pg_info", MetricType::kGauge,
                                        "Server version; the value is always 1."};
inline constexpr MetricFamilySpec kConnections{"opswatch_pg_connections", MetricType::kGauge,
                                               "Client connections by state (pg_stat_activity)."};
inline constexpr MetricFamilySpec kMaxConnections{"opswatch_pg_max_connections", MetricType::kGauge,
                                                  "The server's max_connections setting."};
inline constexpr MetricFamilySpec kDatabaseSize{"opswatch_pg_database_size_bytes",
                                                MetricType::kGauge,
                                                "Size of each database the role may connect to."};
inline constexpr MetricFamilySpec kInRecovery{
    "opswatch_pg_in_recovery", MetricType::kGauge,
    "1 when the server is a replica (in recovery), 0 on a primary."};
inline constexpr MetricFamilySpec kReplicationLag{
    "opswatch_pg_replication_lag_seconds", MetricType::kGauge,
    "On a replica, seconds since the last replayed transaction was committed on the primary; 0 "
    "when all received WAL is replayed. Absent on a primary."};
inline constexpr MetricFamilySpec kQueryUp{
    "opswatch_pg_query_up", MetricType::kGauge,
    "1 when the custom query's last run succeeded, 0 when it failed."};
inline constexpr MetricFamilySpec kQueryDuration{"opswatch_pg_query_duration_seconds",
                                                 MetricType::kGauge,
                                                 "How long the custom query's last run took."};

inline constexpr std::array kFamilies = {
    kUp,           kPingDuration, kInfo,           kConnections, kMaxConnections,
    kDatabaseSize, kInRecovery,   kReplicationLag, kQueryUp,     kQueryDuration};

}  // namespace opswatch::postgres_metrics
