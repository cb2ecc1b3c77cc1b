#include "exporter/os_config_env.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace opswatch {

std::optional<std::string> OsConfigEnv::GetEnv(const std::string& name) const {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

Result<std::string> OsConfigEnv::ReadFile(const std::string& path) const {
  constexpr std::streamsize kMaxConfigBytes = 16 << 20;  // a config or secret, not a data file
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<std::string>::Error(std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  if (static_cast<std::streamsize>(content.size()) > kMaxConfigBytes) {
    return Result<std::string>::Error("file is larger than 16 MiB");
  }
  return content;
}

}  // namespace opswatch
