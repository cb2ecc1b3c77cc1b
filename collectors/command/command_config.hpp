// The command collector's config (README: `type: command`) and its strict parser. The command
// comes only from this file: nothing received over HTTP reaches its argv or environment.
// Thread-safety: value types; the parser is not thread-safe (config loading is single-threaded).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/check_config.hpp"
#include "collectors/check_expr.hpp"
#include "collectors/collector.hpp"
#include "collectors/process_runner.hpp"
#include "core/secret.hpp"

namespace opswatch {

enum class CommandOutput { kNagios, kJson, kPrometheus, kExitCode };

struct CommandConfig {
  std::string collector;  // the collector's name, for log lines and exposed families' help
  // argv as configured (${ENV} expanded, so it may carry secrets: never logged or exported).
  std::vector<std::string> argv;
  std::map<std::string, Secret> env;              // the child's whole environment, plus PATH
  std::string working_dir;                        // empty: opswatch's
  std::optional<ProcessCredentials> credentials;  // `user`, resolved at load
  CommandOutput output = CommandOutput::kExitCode;
  std::vector<CheckExpr> checks;    // output: json
  std::vector<JsonExport> exports;  // output: json
  uint64_t max_output_bytes = 1024 * 1024;
  Millis timeout{10000};  // the collector's timeout
  // opswatch's own PATH (at load), given to the command unless `env` sets PATH.
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
};

// The registry's parser: ParseCommandConfig plus the factory.
std::optional<ParsedCollector> ParseCommandCollector(MapReader& reader,
                                                     const CollectorIdentity& id);

// Reads the command-specific keys. Records problems in reader.errors(); nullopt on any.
std::optional<CommandConfig> ParseCommandConfig(MapReader& reader, const CollectorIdentity& id);

}  // namespace opswatch
