#include "exporter/os_config_env.hpp"

#include <cstdlib>

#include "core/bounded_read.hpp"

namespace opswatch {

std::optional<std::string> OsConfigEnv::GetEnv(const std::string& name) const {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

Result<std::string> OsConfigEnv::ReadFile(const std::string& path, size_t max_bytes) const {
  return ReadBoundedFile(path, max_bytes);
}

}  // namespace opswatch
