#include "collectors/registry.hpp"

#include "collectors/backup/backup_config.hpp"
#include "collectors/disk/disk_config.hpp"
#include "collectors/http/http_config.hpp"
#include "collectors/postgres/postgres_config.hpp"

namespace opswatch {

void CollectorRegistry::Register(std::string type, CollectorParser parser) {
  parsers_[std::move(type)] = std::move(parser);
}

const CollectorParser* CollectorRegistry::Find(const std::string& type) const {
  auto it = parsers_.find(type);
  return it == parsers_.end() ? nullptr : &it->second;
}

std::vector<std::string> CollectorRegistry::Types() const {
  std::vector<std::string> types;
  for (const auto& [type, parser] : parsers_) types.push_back(type);
  return types;
}

void RegisterBuiltinCollectors(CollectorRegistry& registry) {
  registry.Register("backup", ParseBackupCollector);
  registry.Register("disk", ParseDiskCollector);
  registry.Register("http", ParseHttpCollector);
  registry.Register("postgres", ParsePostgresCollector);
}

}  // namespace opswatch
