#include "collectors/disk/disk_config.hpp"

#include "collectors/collector_services.hpp"
#include "collectors/disk/disk_collector.hpp"

namespace opswatch {

std::optional<ParsedCollector> ParseDiskCollector(MapReader& reader, const CollectorIdentity&) {
  DiskConfig config;
  bool ok = reader.StringList("paths", config.paths, /*required=*/true);
  if (ok && config.paths.empty()) {
    reader.Fail("paths", "must list at least one path");
    ok = false;
  }
  for (size_t i = 0; ok && i < config.paths.size(); ++i) {
    if (config.paths[i].empty() || config.paths[i][0] != '/') {
      reader.Fail("paths", "\"" + config.paths[i] + "\" is not an absolute path");
      ok = false;
    }
  }
  YAML::Node thresholds_node = reader.Child("thresholds");
  MapReader thresholds(thresholds_node, reader.KeyPath("thresholds"), reader.errors(),
                       reader.env());
  for (auto [key, target] : {std::pair{"avail_ratio_warning", &config.avail_ratio_warning},
                             std::pair{"avail_ratio_critical", &config.avail_ratio_critical},
                             std::pair{"inodes_free_ratio", &config.inodes_free_ratio}}) {
    if (!thresholds.Double(key, *target)) {
      ok = false;
    } else if (*target < 0 || *target > 1) {
      thresholds.Fail(key, "must be a ratio between 0 and 1");
      ok = false;
    }
  }
  if (ok && config.avail_ratio_critical > config.avail_ratio_warning) {
    thresholds.Fail("avail_ratio_critical", "must not be above avail_ratio_warning");
    ok = false;
  }
  thresholds.Finish();
  if (!ok) return std::nullopt;

  ParsedCollector parsed;
  parsed.thresholds = {{"avail_ratio_warning", config.avail_ratio_warning},
                       {"avail_ratio_critical", config.avail_ratio_critical},
                       {"inodes_free_ratio", config.inodes_free_ratio}};
  parsed.create = [config](CollectorServices& services) -> std::unique_ptr<Collector> {
    return std::make_unique<DiskCollector>(config, services.disk_statter(), services.clock());
  };
  return parsed;
}

}  // namespace opswatch
