// The real environment and filesystem behind config loading.
#pragma once

#include "core/config_reader.hpp"

namespace opswatch {

class OsConfigEnv final : public ConfigEnv {
 public:
  std::optional<std::string> GetEnv(const std::string& name) const override;
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) const override;
};

}  // namespace opswatch
