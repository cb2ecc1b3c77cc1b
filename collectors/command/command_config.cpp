#include "collectors/command/command_config.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <memory>

#include "collectors/collector_services.hpp"
#include "collectors/command/command_collector.hpp"

namespace opswatch {
namespace {

bool IsEnvName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool ReadCommand(MapReader& reader, CommandConfig& config) {
  if (!reader.StringList("command", config.argv, /*required=*/true)) return false;
  if (config.argv.empty() || config.argv[0].empty()) {
    reader.Fail("command",
                "expected the program and its arguments, e.g. [/usr/lib/nagios/plugins/check_disk, "
                "-w, 10%]");
    return false;
  }
  for (const std::string& arg : config.argv) {
    // exec takes C strings: a NUL would silently cut the argument.
    if (arg.find('\0') != std::string::npos) {
      reader.Fail("command", "arguments must not contain NUL characters");
      return false;
    }
  }
  return true;
}

bool ReadEnv(MapReader& reader, CommandConfig& config) {
  std::map<std::string, std::string> env;
  if (!reader.StringMap("env", env)) return false;
  for (auto& [name, value] : env) {
    if (!IsEnvName(name)) {
      reader.Fail("env",
                  "\"" + name + "\" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
      return false;
    }
    if (value.find('\0') != std::string::npos) {
      reader.Fail("env", "the value of " + name + " must not contain NUL characters");
      return false;
    }
    config.env.emplace(name, Secret(std::move(value)));
  }
  return true;
}

bool ReadOutput(MapReader& reader, CommandConfig& config) {
  std::string output;
  if (!reader.String("output", output)) return false;
  if (output.empty() && !reader.Has("output")) return true;
  static const std::map<std::string, CommandOutput> kOutputs = {
      {"nagios", CommandOutput::kNagios},
      {"json", CommandOutput::kJson},
      {"prometheus", CommandOutput::kPrometheus},
      {"exit_code", CommandOutput::kExitCode}};
  auto it = kOutputs.find(output);
  if (it == kOutputs.end()) {
    reader.Fail("output", "expected one of nagios, json, prometheus, exit_code");
    return false;
  }
  config.output = it->second;
  return true;
}

// `user`: whom to run as. Resolved here (the child may not look anything up between fork and
// exec). Switching needs root; naming the user opswatch already runs as is allowed anywhere.
bool ReadUser(MapReader& reader, CommandConfig& config) {
  std::string user;
  if (!reader.String("user", user)) return false;
  if (!reader.Has("user")) return true;
  if (user.empty()) {
    reader.Fail("user", "must not be empty");
    return false;
  }
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    reader.Fail("user", "unknown user \"" + user + "\"");
    return false;
  }
  if (geteuid() != 0) {
    if (found->pw_uid == geteuid()) return true;
    reader.Fail("user", "running commands as \"" + user + "\" needs opswatch to run as root");
    return false;
  }
  ProcessCredentials credentials;
  credentials.uid = found->pw_uid;
  credentials.gid = found->pw_gid;
  int count = 64;
  credentials.groups.resize(size_t(count));
  while (getgrouplist(user.c_str(), found->pw_gid, credentials.groups.data(), &count) < 0) {
    credentials.groups.resize(size_t(count));
  }
  credentials.groups.resize(size_t(count));
  config.credentials = std::move(credentials);
  return true;
}

}  // namespace

std::optional<CommandConfig> ParseCommandConfig(MapReader& reader, const CollectorIdentity& id) {
  CommandConfig config;
  const size_t errors_before = reader.errors().size();
  config.collector = id.name;
  config.timeout = id.timeout;
  if (auto path = reader.env().GetEnv("PATH"); path && !path->empty()) config.path = *path;
  bool ok = ReadCommand(reader, config);
  ok = ReadEnv(reader, config) && ok;
  if (reader.String("working_dir", config.working_dir)) {
    if (reader.Has("working_dir") && (config.working_dir.empty() || config.working_dir[0] != '/')) {
      reader.Fail("working_dir", "must be an absolute path");
      ok = false;
    }
  } else {
    ok = false;
  }
  ok = ReadUser(reader, config) && ok;
  ok = ReadOutput(reader, config) && ok;
  if (reader.Size("max_output_bytes", config.max_output_bytes)) {
    if (config.max_output_bytes == 0) {
      reader.Fail("max_output_bytes", "must be greater than 0");
      ok = false;
    }
  } else {
    ok = false;
  }
  ok = ReadChecks(reader, config.checks) && ok;
  ok = ReadJsonExports(reader, config.exports) && ok;
  if (config.output != CommandOutput::kJson) {
    for (const char* key : {"checks", "export"}) {
      if (reader.Has(key)) {
        reader.Fail(key, "only applies to output: json");
        ok = false;
      }
    }
  }
  if (!ok || reader.errors().size() != errors_before) return std::nullopt;
  return config;
}

std::optional<ParsedCollector> ParseCommandCollector(MapReader& reader,
                                                     const CollectorIdentity& id) {
  auto config = ParseCommandConfig(reader, id);
  if (!config) return std::nullopt;
  ParsedCollector parsed;
  parsed.create = [config = *config](CollectorServices& services) -> std::unique_ptr<Collector> {
    return std::make_unique<CommandCollector>(config, services.process_runner(),
                                              services.command_slots(), services.clock(),
                                              services.logger());
  };
  return parsed;
}

}  // namespace opswatch
