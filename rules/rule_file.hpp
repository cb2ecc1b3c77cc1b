// Rule files in Prometheus's format (rulefmt): groups with name, interval and rules; each rule is
// either `alert` (with for, keep_firing_for, labels, annotations) or `record` (with labels).
// Loading is strict: unknown keys are errors, every problem is reported as file:line:col with the
// key's path, and all problems of all files are reported in one go (the first 20 printed). A file
// is read bounded (kConfigFileLimit, regular files only) and must be one UTF-8 YAML document
// without repeated keys (LoadYamlDocument), as Prometheus's loader demands too. Expressions are
// parsed with the PromQL subset (an unsupported construct is an error naming it) and
// label/annotation templates are parsed (not run), as Prometheus's rulefmt does. Unlike
// opswatch.yml, rule files get no ${ENV} expansion: they must mean the same thing to Prometheus,
// and "$labels"/"$value" are template syntax.
// Thread-safety: pure functions; the returned specs are immutable values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "core/units.hpp"
#include "rules/promql/promql_ast.hpp"

namespace opswatch {

struct RuleSpec {
  enum class Kind { kAlerting, kRecording };
  Kind kind = Kind::kAlerting;
  std::string name;       // the alert name or the recorded metric name
  std::string expr_text;  // as written (printed back by --print-rules)
  promql::ExprPtr expr;
  Millis for_duration{0};
  Millis keep_firing_for{0};
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  // Built-in rules: a same-named file rule replaces this one when it has the equality matcher
  // owner_label="owner_value" (collector="<collector>" for most, job="<job>" for scrape).
  std::string owner_label = {};
  std::string owner_value = {};
};

struct RuleGroupSpec {
  std::string name;
  std::string file;    // the rule file it came from; empty for built-in groups
  Millis interval{0};  // 0: global.evaluation_interval
  bool builtin = false;
  std::string collector;  // built-in groups: the collector they watch
  std::vector<RuleSpec> rules;
};

// Parses one rule file's content. Problems go to `errors` (positions in `content`).
std::vector<RuleGroupSpec> ParseRuleFile(const std::string& content, const std::string& file,
                                         ConfigErrors& errors);

// Expands `patterns` (globs; relative ones are relative to `base_dir`, the config file's folder),
// reads and parses every file in sorted order. A pattern that matches nothing is fine (as in
// Prometheus); an unreadable file or any rule problem fails the whole load with every problem,
// one "file:line:col: message" per line.
Result<std::vector<RuleGroupSpec>> LoadRuleFiles(const std::vector<std::string>& patterns,
                                                 const std::string& base_dir);

}  // namespace opswatch
