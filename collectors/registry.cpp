#include "collectors/registry.hpp"

#include "collectors/backup/backup_config.hpp"
#include "collectors/backup/backup_metrics.hpp"
#include "collectors/backup/backup_rules.hpp"
#include "collectors/command/command_config.hpp"
#include "collectors/command/command_metrics.hpp"
#include "collectors/command/command_rules.hpp"
#include "collectors/disk/disk_config.hpp"
#include "collectors/disk/disk_metrics.hpp"
#include "collectors/disk/disk_rules.hpp"
#include "collectors/http/http_config.hpp"
#include "collectors/http/http_metrics.hpp"
#include "collectors/http/http_rules.hpp"
#include "collectors/log/log_config.hpp"
#include "collectors/log/log_metrics.hpp"
#include "collectors/log/log_rules.hpp"
#include "collectors/postgres/postgres_config.hpp"
#include "collectors/postgres/postgres_metrics.hpp"
#include "collectors/postgres/postgres_rules.hpp"
#include "collectors/scrape/scrape_config.hpp"
#include "collectors/scrape/scrape_metrics.hpp"

namespace opswatch {

void CollectorRegistry::Register(std::string type, CollectorType entry) {
  types_[std::move(type)] = std::move(entry);
}

const CollectorType* CollectorRegistry::Find(const std::string& type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<std::string> CollectorRegistry::Types() const {
  std::vector<std::string> types;
  for (const auto& [type, entry] : types_) types.push_back(type);
  return types;
}

void RegisterBuiltinCollectors(CollectorRegistry& registry) {
  registry.Register("backup",
                    {ParseBackupCollector, backup_metrics::kFamilies, BackupBuiltinRules});
  registry.Register("command",
                    {ParseCommandCollector, command_metrics::kFamilies, CommandBuiltinRules});
  registry.Register("disk", {ParseDiskCollector, disk_metrics::kFamilies, DiskBuiltinRules});
  registry.Register("http", {ParseHttpCollector, http_metrics::kFamilies, HttpBuiltinRules});
  registry.Register("log", {ParseLogCollector, log_metrics::kFamilies, LogBuiltinRules});
  registry.Register("postgres",
                    {ParsePostgresCollector, postgres_metrics::kFamilies, PostgresBuiltinRules});
  // Scrape's TargetDown needs the job, so its parser writes it (ParsedCollector::config_rules).
  registry.Register("scrape", {ParseScrapeCollector, scrape_metrics::kFamilies, nullptr});
}

}  // namespace opswatch
