// The whole opswatch.yml: global settings, collector instances (validated by their type's parser),
// rule settings, and the alerting section (validated by notify/). Loading is all-or-nothing:
// any problem rejects the file with every problem listed as file:line:col: message. The file is
// read bounded (kConfigFileLimit, regular files only) and must be one non-empty UTF-8 YAML
// mapping without repeated keys.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "collectors/collector.hpp"
#include "collectors/registry.hpp"
#include "core/config_reader.hpp"
#include "core/labels.hpp"
#include "core/units.hpp"
#include "notify/notify_config.hpp"
#include "rules/rule_file.hpp"

namespace opswatch {

struct GlobalConfig {
  Millis interval{std::chrono::seconds(30)};
  Millis timeout{std::chrono::seconds(10)};
  Millis evaluation_interval{std::chrono::seconds(15)};
  Labels external_labels;
  std::string state_dir = "/var/lib/opswatch";  // relative paths resolve against the config's dir
};

struct CollectorEntry {
  CollectorIdentity id;
  ParsedCollector parsed;
};

struct Config {
  std::string file;      // as given on the command line
  std::string base_dir;  // directory of `file`, for relative paths
  GlobalConfig global;
  std::vector<CollectorEntry> collectors;
  std::vector<std::string> rule_files;  // globs, resolved against base_dir
  bool builtin_rules = true;
  // The effective rules: built-in groups from collectors' thresholds (unless builtin_rules is
  // false, minus rules a file overrides), then the rule files' groups.
  std::vector<RuleGroupSpec> rule_groups;
  notify::AlertingConfig alerting;
};

struct ConfigLoad {
  Config config;
  ConfigErrors errors;
  std::string rule_errors;  // already "file:line:col: message" lines, from the rule files
  bool ok() const { return errors.empty() && rule_errors.empty(); }
  std::string ErrorText() const { return errors.Format(config.file) + rule_errors; }
};

// Parses `text` as the content of `file`.
ConfigLoad ParseConfig(const std::string& file, const std::string& text,
                       const CollectorRegistry& registry, const ConfigEnv& env);
// Reads and parses `file`.
ConfigLoad LoadConfigFile(const std::string& file, const CollectorRegistry& registry,
                          const ConfigEnv& env);

}  // namespace opswatch
