// Config of a `type: postgres` collector (README: `type: postgres`): defaults first, then a strict
// read (unknown keys are errors), then cross-field checks. Custom metric names are checked here, at
// load, so a typo is a config error and not a broken exposition at run time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.hpp"
#include "core/metric.hpp"
#include "core/secret.hpp"

namespace opswatch {

struct PgQueryConfig {
  std::string metric;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::string sql;
  Millis timeout{0};   // statement_timeout; defaults to the collector's timeout
  Millis interval{0};  // 0: every run; otherwise the last result is republished in between
};

struct PostgresConfig {
  Secret dsn;  // libpq URI or key=value string; never logged
  Millis connect_timeout{5'000};
  Millis timeout{10'000};  // the collector's run deadline (from the common `timeout` key)
  std::vector<PgQueryConfig> queries;
  double connections_ratio = 0.8;      // threshold: client connections / max_connections
  Millis replication_lag{5 * 60'000};  // threshold: replica lag
};

// Reads the type-specific keys (dsn | dsn_file, connect_timeout, queries, thresholds).
std::optional<PostgresConfig> ParsePostgresConfig(MapReader& reader, const CollectorIdentity& id);

// ParsePostgresConfig plus the thresholds and the factory (a LibpqConnection per instance).
std::optional<ParsedCollector> ParsePostgresCollector(MapReader& reader,
                                                      const CollectorIdentity& id);

}  // namespace opswatch
