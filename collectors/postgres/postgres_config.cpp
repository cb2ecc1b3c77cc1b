#include "collectors/postgres/postgres_config.hpp"

#include <map>
#include <utility>

#include "collectors/collector_services.hpp"
#include "collectors/postgres/postgres_collector.hpp"
#include "collectors/postgres/postgres_connection.hpp"
#include "collectors/postgres/postgres_rows.hpp"

namespace opswatch {
namespace {

constexpr Millis kDefaultTimeout{10'000};

std::optional<PgQueryConfig> ParseQuery(MapReader& reader, Millis collector_timeout) {
  PgQueryConfig query;
  bool ok = reader.String("metric", query.metric, /*required=*/true);
  ok = reader.String("help", query.help) && ok;
  ok = reader.String("sql", query.sql, /*required=*/true) && ok;
  std::string type = "gauge";
  if (reader.String("type", type)) {
    if (type == "gauge") {
      query.type = MetricType::kGauge;
    } else if (type == "counter") {
      query.type = MetricType::kCounter;
    } else {
      reader.Fail("type", "must be gauge or counter, not \"" + type + "\"");
      ok = false;
    }
  } else {
    ok = false;
  }
  query.timeout = collector_timeout;
  if (!reader.Duration("timeout", query.timeout)) {
    ok = false;
  } else if (query.timeout.count() <= 0) {
    reader.Fail("timeout", "must be greater than 0");
    ok = false;
  } else if (query.timeout > collector_timeout) {
    reader.Fail("timeout", "must not exceed the collector's timeout (" +
                               FormatDuration(collector_timeout) + ")");
    ok = false;
  }
  if (!reader.Duration("interval", query.interval)) ok = false;
  if (ok && reader.Has("sql") && query.sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
    reader.Fail("sql", "must not be empty");
    ok = false;
  }
  if (ok) {
    if (std::string problem = CheckCustomMetricName(query.metric, query.type); !problem.empty()) {
      reader.Fail("metric", problem);
      ok = false;
    }
  }
  if (query.help.empty()) query.help = "Custom PostgreSQL query " + query.metric + ".";
  reader.Finish();
  if (!ok) return std::nullopt;
  return query;
}

}  // namespace

std::optional<PostgresConfig> ParsePostgresConfig(MapReader& reader, const CollectorIdentity& id) {
  PostgresConfig config;
  if (id.timeout.count() > 0)
    config.timeout = id.timeout;
  else
    config.timeout = kDefaultTimeout;
  bool ok = reader.SecretValue("dsn", config.dsn, /*required=*/true);
  if (ok) {
    if (Status valid = ValidateDsn(config.dsn); !valid.ok()) {
      reader.Fail(reader.Has("dsn") ? "dsn" : "dsn_file", valid.message());
      ok = false;
    }
  }
  config.connect_timeout = std::min(config.connect_timeout, config.timeout);
  if (!reader.Duration("connect_timeout", config.connect_timeout)) {
    ok = false;
  } else if (config.connect_timeout.count() <= 0) {
    reader.Fail("connect_timeout", "must be greater than 0");
    ok = false;
  } else if (config.connect_timeout > config.timeout) {
    reader.Fail("connect_timeout",
                "must not exceed the collector's timeout (" + FormatDuration(config.timeout) + ")");
    ok = false;
  }

  YAML::Node queries = reader.Child("queries");
  if (queries.IsDefined() && !queries.IsNull()) {
    if (!queries.IsSequence()) {
      reader.Fail("queries", "must be a list of queries");
      ok = false;
    } else {
      std::map<std::string, size_t> seen;
      for (size_t i = 0; i < queries.size(); ++i) {
        std::string path = reader.KeyPath("queries") + "[" + std::to_string(i) + "]";
        MapReader query_reader(queries[i], path, reader.errors(), reader.env());
        auto query = ParseQuery(query_reader, config.timeout);
        if (!query) {
          ok = false;
          continue;
        }
        auto [it, inserted] = seen.emplace(query->metric, i);
        if (!inserted) {
          query_reader.errors().Add(std::as_const(queries)[i]["metric"],
                                    path + ".metric: \"" + query->metric +
                                        "\" is already used by queries[" +
                                        std::to_string(it->second) + "]");
          ok = false;
          continue;
        }
        config.queries.push_back(std::move(*query));
      }
    }
  }

  YAML::Node thresholds_node = reader.Child("thresholds");
  MapReader thresholds(thresholds_node, reader.KeyPath("thresholds"), reader.errors(),
                       reader.env());
  if (!thresholds.Double("connections_ratio", config.connections_ratio)) {
    ok = false;
  } else if (config.connections_ratio <= 0 || config.connections_ratio > 1) {
    thresholds.Fail("connections_ratio", "must be a ratio above 0 and at most 1");
    ok = false;
  }
  if (!thresholds.Duration("replication_lag", config.replication_lag)) {
    ok = false;
  } else if (config.replication_lag.count() <= 0) {
    thresholds.Fail("replication_lag", "must be greater than 0");
    ok = false;
  }
  thresholds.Finish();
  if (!ok) return std::nullopt;
  return config;
}

std::optional<ParsedCollector> ParsePostgresCollector(MapReader& reader,
                                                      const CollectorIdentity& id) {
  auto config = ParsePostgresConfig(reader, id);
  if (!config) return std::nullopt;
  ParsedCollector parsed;
  parsed.thresholds = {
      {"connections_ratio", config->connections_ratio},
      {"replication_lag", ToSeconds(config->replication_lag)},
  };
  parsed.create = [config = *config](CollectorServices& services) -> std::unique_ptr<Collector> {
    return std::make_unique<PostgresCollector>(
        config, std::make_unique<LibpqConnection>(config.dsn, services.clock()), services.clock(),
        services.logger());
  };
  return parsed;
}

}  // namespace opswatch
