// Command-line flags (README: "Command line"), parsed without globals.
#pragma once

#include <string>
#include <vector>

#include "core/status.hpp"

namespace opswatch {

struct Flags {
  std::string config_file = "opswatch.yml";
  bool config_check = false;
  std::string listen_address = ":10490";
  std::string web_config_file;
  bool enable_lifecycle = false;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  bool once = false;
  bool print_rules = false;
  bool version = false;
  bool help = false;
};

// Accepts --name=value, --name value and bare boolean flags.
Result<Flags> ParseFlags(const std::vector<std::string>& args);
std::string UsageText();

}  // namespace opswatch
