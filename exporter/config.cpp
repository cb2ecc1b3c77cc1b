#include "exporter/config.hpp"

#include <filesystem>
#include <set>

#include "core/bounded_read.hpp"
#include "exporter/builtin_rule_groups.hpp"
#include "rules/builtin_rules.hpp"

namespace opswatch {
namespace {

bool IsLabelName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return name.rfind("__", 0) != 0;
}

std::string JoinTypes(const std::vector<std::string>& types) {
  std::string out;
  for (const auto& t : types) out += (out.empty() ? "" : ", ") + t;
  return out;
}

void ParseGlobal(MapReader& reader, GlobalConfig& global) {
  reader.Duration("interval", global.interval);
  reader.Duration("timeout", global.timeout);
  reader.Duration("evaluation_interval", global.evaluation_interval);
  reader.String("state_dir", global.state_dir);
  std::map<std::string, std::string> external;
  if (reader.StringMap("external_labels", external)) {
    for (const auto& [name, value] : external) {
      if (!IsLabelName(name)) {
        reader.Fail("external_labels", "\"" + name + "\" is not a valid label name");
      } else {
        global.external_labels.Set(name, value);
      }
    }
  }
  if (global.interval.count() <= 0) reader.Fail("interval", "must be greater than 0");
  if (global.evaluation_interval.count() <= 0) {
    reader.Fail("evaluation_interval", "must be greater than 0");
  }
  if (global.timeout.count() <= 0) {
    reader.Fail("timeout", "must be greater than 0");
  } else if (global.timeout > global.interval) {
    reader.Fail("timeout",
                "must not be greater than interval (" + FormatDuration(global.interval) + ")");
  }
  if (global.state_dir.empty()) reader.Fail("state_dir", "must not be empty");
  reader.Finish();
}

// The name becomes the `collector` label and appears in log lines and /health keys.
void CheckCollectorName(MapReader& reader, const std::string& name) {
  if (name.empty()) {
    reader.Fail("name", "must not be empty");
    return;
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      reader.Fail("name", "must not contain control characters such as a line break or a tab");
      return;
    }
  }
}

void ParseCollectors(const YAML::Node& list, Config& config, ConfigErrors& errors,
                     const CollectorRegistry& registry, const ConfigEnv& env) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    errors.Add(list, "collectors: expected a list of collectors");
    return;
  }
  std::map<std::string, YAML::Mark> seen;
  // (key, value) -> where the first collector claiming it set it (ParsedCollector::exclusive_keys)
  std::map<std::pair<std::string, std::string>, YAML::Mark> claimed;
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader reader(list[i], "collectors[" + std::to_string(i) + "]", errors, env);
    CollectorIdentity id;
    id.interval = config.global.interval;
    id.timeout = config.global.timeout;
    id.state_dir = config.global.state_dir;
    size_t errors_before = errors.size();
    if (reader.String("name", id.name, /*required=*/true) && reader.Has("name")) {
      CheckCollectorName(reader, id.name);
    }
    reader.String("type", id.type, /*required=*/true);
    reader.Duration("interval", id.interval);
    bool timeout_set = reader.Has("timeout");
    reader.Duration("timeout", id.timeout);
    if (!id.name.empty()) {
      auto [it, inserted] = seen.emplace(id.name, list[i]["name"].Mark());
      if (!inserted) {
        reader.Fail("name", "duplicate collector name \"" + id.name + "\" (first defined at line " +
                                std::to_string(it->second.line + 1) + ")");
      }
    }
    if (id.interval.count() <= 0) reader.Fail("interval", "must be greater than 0");
    if (id.timeout.count() <= 0) {
      reader.Fail("timeout", "must be greater than 0");
    } else if (id.timeout > id.interval) {
      if (timeout_set) {
        reader.Fail("timeout",
                    "must not be greater than interval (" + FormatDuration(id.interval) + ")");
      } else {
        id.timeout = id.interval;  // a short interval with the global timeout: cap it
      }
    }
    if (id.type.empty()) {
      reader.Finish();
      continue;
    }
    const CollectorType* type = registry.Find(id.type);
    if (!type) {
      reader.Fail("type", "unknown collector type \"" + id.type +
                              "\" (known types: " + JoinTypes(registry.Types()) + ")");
      reader.Finish();
      continue;
    }
    auto parsed = type->parser(reader, id);
    if (parsed) {
      for (const auto& claim : parsed->exclusive_keys) {
        auto [it, inserted] =
            claimed.emplace(std::pair(claim.key, claim.value), list[i][claim.key].Mark());
        if (!inserted) {
          reader.Fail(claim.key, "duplicate " + claim.key + " \"" + claim.value +
                                     "\" (first used at line " +
                                     std::to_string(it->second.line + 1) + ")");
        }
      }
    }
    reader.Finish();
    if (parsed && errors.size() == errors_before) {
      config.collectors.push_back(CollectorEntry{std::move(id), std::move(*parsed)});
    }
  }
}

}  // namespace

ConfigLoad ParseConfig(const std::string& file, const std::string& text,
                       const CollectorRegistry& registry, const ConfigEnv& env) {
  ConfigLoad load;
  Config& config = load.config;
  config.file = file;
  config.base_dir = std::filesystem::path(file).parent_path().string();
  if (config.base_dir.empty()) config.base_dir = ".";
  YAML::Node root = LoadYamlDocument(text, load.errors);
  if (!load.errors.empty()) return load;
  if (root.IsNull()) {
    // A directory, an empty file or one of only comments is a mistake, not "0 collectors".
    load.errors.AddUnpositioned(
        "the configuration is empty (expected keys such as \"collectors:\")");
    return load;
  }
  if (!root.IsMap()) {
    load.errors.Add(root, std::string("the configuration must be a mapping of keys to values "
                                      "(global:, collectors:, ...), not a ") +
                              (root.IsSequence() ? "list" : "scalar"));
    return load;
  }
  MapReader top(root, "", load.errors, env);
  YAML::Node global_node = top.Child("global");
  MapReader global(global_node, "global", load.errors, env);
  ParseGlobal(global, config.global);
  if (!std::filesystem::path(config.global.state_dir).is_absolute()) {
    config.global.state_dir =
        (std::filesystem::path(config.base_dir) / config.global.state_dir).lexically_normal();
  }
  ParseCollectors(top.Child("collectors"), config, load.errors, registry, env);
  top.StringList("rule_files", config.rule_files);
  top.Bool("builtin_rules", config.builtin_rules);
  config.alerting = notify::ParseAlertingConfig(top.Child("alerting"), load.errors, env);
  top.Finish();
  if (!load.errors.empty()) return load;

  std::vector<RuleGroupSpec> builtin;
  if (config.builtin_rules) {
    for (const auto& entry : config.collectors) {
      builtin.push_back(GenerateBuiltinRules(registry, entry.id.name, entry.id.type,
                                             entry.parsed.thresholds, entry.parsed.config_rules));
    }
  }
  auto files = LoadRuleFiles(config.rule_files, config.base_dir);
  if (!files) {
    load.rule_errors = files.error();
    if (!load.rule_errors.empty() && load.rule_errors.back() != '\n') load.rule_errors += '\n';
    return load;
  }
  config.rule_groups = MergeRuleGroups(std::move(builtin), std::move(files).value());
  return load;
}

ConfigLoad LoadConfigFile(const std::string& file, const CollectorRegistry& registry,
                          const ConfigEnv& env) {
  auto text = env.ReadFile(file, kConfigFileLimit);
  if (!text) {
    ConfigLoad load;
    load.config.file = file;
    load.errors.AddUnpositioned("cannot read config file: " + text.error());
    return load;
  }
  return ParseConfig(file, *text, registry, env);
}

}  // namespace opswatch
