// Config environment fakes for tests.
#pragma once

#include <map>
#include <string>

#include "core/config_reader.hpp"

namespace opswatch::testing {

class FakeConfigEnv final : public ConfigEnv {
 public:
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files;

  std::optional<std::string> GetEnv(const std::string& name) const override {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) const override {
    auto it = files.find(path);
    if (it == files.end()) return Result<std::string>::Error("No such file or directory");
    if (it->second.size() > max_bytes) return Result<std::string>::Error("is too large");
    return it->second;
  }
};

}  // namespace opswatch::testing
