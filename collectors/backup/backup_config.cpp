#include "collectors/backup/backup_config.hpp"

#include "collectors/backup/backup_collector.hpp"
#include "collectors/collector_services.hpp"

namespace opswatch {

std::optional<ParsedCollector> ParseBackupCollector(MapReader& reader, const CollectorIdentity&) {
  BackupConfig config;
  bool ok = reader.String("path", config.path, /*required=*/true);
  if (ok && (config.path.empty() || config.path[0] != '/')) {
    reader.Fail("path", "\"" + config.path + "\" is not an absolute path");
    ok = false;
  }
  while (config.path.size() > 1 && config.path.back() == '/') config.path.pop_back();

  std::optional<PathGlob> glob;
  if (!reader.String("pattern", config.pattern)) {
    ok = false;
  } else if (auto parsed = PathGlob::Parse(config.pattern); !parsed) {
    reader.Fail("pattern", parsed.error());
    ok = false;
  } else {
    glob = *parsed;
  }

  std::string verify = "newest";
  if (!reader.String("verify", verify)) {
    ok = false;
  } else if (verify == "none") {
    config.verify = BackupVerifyMode::kNone;
  } else if (verify == "newest") {
    config.verify = BackupVerifyMode::kNewest;
  } else if (verify == "all") {
    config.verify = BackupVerifyMode::kAll;
  } else {
    reader.Fail("verify", "must be one of none, newest, all (got \"" + verify + "\")");
    ok = false;
  }

  YAML::Node thresholds_node = reader.Child("thresholds");
  MapReader thresholds(thresholds_node, reader.KeyPath("thresholds"), reader.errors(),
                       reader.env());
  if (thresholds.Has("max_age")) {
    Millis max_age{0};
    if (!thresholds.Duration("max_age", max_age)) {
      ok = false;
    } else if (max_age.count() <= 0) {
      thresholds.Fail("max_age", "must be positive");
      ok = false;
    } else {
      config.max_age_seconds = double(max_age.count()) / 1000.0;
    }
  }
  auto read_count = [&](const char* key, std::optional<double>& out) {
    if (!thresholds.Has(key)) return;
    int64_t value = 0;
    if (!thresholds.Int(key, value)) {
      ok = false;
    } else if (value < 0) {
      thresholds.Fail(key, "must not be negative");
      ok = false;
    } else {
      out = double(value);
    }
  };
  std::optional<double> min_count;
  read_count("min_count", min_count);
  if (min_count) config.min_count = *min_count;
  read_count("retention_count", config.retention_count);
  if (thresholds.Has("min_bytes")) {
    uint64_t min_bytes = 0;
    if (!thresholds.Size("min_bytes", min_bytes)) {
      ok = false;
    } else {
      config.min_bytes = double(min_bytes);
    }
  }
  if (thresholds.Has("shrink_ratio")) {
    double ratio = 0;
    if (!thresholds.Double("shrink_ratio", ratio)) {
      ok = false;
    } else if (ratio <= 0 || ratio > 1) {
      thresholds.Fail("shrink_ratio", "must be a ratio above 0 and at most 1");
      ok = false;
    } else {
      config.shrink_ratio = ratio;
    }
  }
  thresholds.Finish();
  if (!ok || !glob) return std::nullopt;

  ParsedCollector parsed;
  parsed.thresholds["min_count"] = config.min_count;
  if (config.max_age_seconds) parsed.thresholds["max_age"] = *config.max_age_seconds;
  if (config.retention_count) parsed.thresholds["retention_count"] = *config.retention_count;
  if (config.min_bytes) parsed.thresholds["min_bytes"] = *config.min_bytes;
  if (config.shrink_ratio) parsed.thresholds["shrink_ratio"] = *config.shrink_ratio;
  parsed.create = [config,
                   glob = *glob](CollectorServices& services) -> std::unique_ptr<Collector> {
    return std::make_unique<BackupCollector>(config, glob, std::make_unique<OsBackupFs>(),
                                             services.clock(), services.logger());
  };
  return parsed;
}

}  // namespace opswatch
