#include "rules/rule_file.hpp"

#include <glob.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "core/bounded_read.hpp"
#include "core/utf8.hpp"
#include "rules/template/template.hpp"

namespace opswatch {

namespace {

// Rule files are not environment-expanded; MapReader only needs an env for ${...} in durations.
class NoEnv final : public ConfigEnv {
 public:
  std::optional<std::string> GetEnv(const std::string&) const override { return std::nullopt; }
  Result<std::string> ReadFile(const std::string&, size_t) const override {
    return Result<std::string>::Error("not available in rule files");
  }
};

// Reads a scalar verbatim (no ${} expansion). Absent leaves `out` unchanged.
bool RawString(MapReader& reader, const std::string& key, std::string& out, bool required) {
  YAML::Node value = reader.Child(key);
  if (!value.IsDefined() || value.IsNull()) {
    if (required) {
      reader.errors().Add(reader.node(), reader.KeyPath(key) + ": missing required key");
      return false;
    }
    return true;
  }
  if (!value.IsScalar()) {
    reader.errors().Add(value, reader.KeyPath(key) + ": expected a single value, not a " +
                                   (value.IsMap() ? "mapping" : "list"));
    return false;
  }
  out = value.Scalar();
  return true;
}

bool RawMap(MapReader& reader, const std::string& key, std::map<std::string, std::string>& out,
            const std::string& what) {
  YAML::Node value = reader.Child(key);
  if (!value.IsDefined() || value.IsNull()) return true;
  if (!value.IsMap()) {
    reader.errors().Add(value, reader.KeyPath(key) + ": expected a mapping");
    return false;
  }
  bool ok = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string name = it->first.Scalar();
    std::string path = reader.KeyPath(key) + "." + name;
    if (!IsValidLabelName(name)) {
      reader.errors().Add(it->first, path + ": invalid " + what + " name \"" + name + "\"");
      ok = false;
      continue;
    }
    if (!it->second.IsScalar()) {
      reader.errors().Add(it->second, path + ": expected a single value");
      ok = false;
      continue;
    }
    out[name] = it->second.Scalar();
  }
  return ok;
}

// Parses an expression; maps PromQL's "line:col" onto the file when the expression is a plain
// one-line scalar (otherwise the error sits at the value and keeps the expression position).
bool ParseExpr(MapReader& reader, const YAML::Node& node, RuleSpec& rule) {
  auto parsed = promql::Parse(rule.expr_text);
  if (parsed) {
    rule.expr = std::move(parsed).value();
    return true;
  }
  const std::string& error = parsed.error();
  int line = 0, col = 0;
  size_t consumed = 0;
  YAML::Mark mark = node.Mark();
  std::string message = error;
  if (std::sscanf(error.c_str(), "%d:%d: %zn", &line, &col, &consumed) >= 2 && consumed > 0 &&
      line == 1 && node.Tag() == "?" && rule.expr_text.find('\n') == std::string::npos) {
    mark.column += col - 1;
    message = error.substr(consumed);
  }
  reader.errors().Add(mark, reader.KeyPath("expr") + ": could not parse expression: " + message);
  return false;
}

void CheckTemplates(MapReader& reader, const RuleSpec& rule, const std::string& key,
                    const std::map<std::string, std::string>& texts) {
  YAML::Node map = reader.Child(key);
  for (const auto& [name, text] : texts) {
    Status s = CheckTemplate(rule.name, text);
    if (!s.ok())
      reader.errors().Add(map[name], reader.KeyPath(key) + "." + name + ": " + s.message());
  }
}

std::optional<RuleSpec> ParseRule(const YAML::Node& node, const std::string& path,
                                  ConfigErrors& errors, const ConfigEnv& env) {
  MapReader reader(node, path, errors, env);
  RuleSpec rule;
  size_t before = errors.size();
  bool has_alert = reader.Has("alert"), has_record = reader.Has("record");
  if (has_alert && has_record) {
    reader.Fail("record", "only one of 'record' and 'alert' may be set");
  } else if (!has_alert && !has_record) {
    errors.Add(node, path + ": one of 'record' or 'alert' must be set");
  }
  rule.kind = has_record ? RuleSpec::Kind::kRecording : RuleSpec::Kind::kAlerting;
  RawString(reader, has_record ? "record" : "alert", rule.name, false);
  reader.Accept("alert");
  reader.Accept("record");
  if (has_record && !rule.name.empty() && !IsValidMetricName(rule.name)) {
    reader.Fail("record", "invalid recording rule name \"" + rule.name + "\"");
  }
  if ((has_alert || has_record) && rule.name.empty() && errors.size() == before) {
    reader.Fail(has_record ? "record" : "alert", "must not be empty");
  }
  if (RawString(reader, "expr", rule.expr_text, true) && !rule.expr_text.empty()) {
    ParseExpr(reader, reader.Child("expr"), rule);
  } else if (reader.Has("expr")) {
    reader.Fail("expr", "must not be empty");
  }
  reader.Duration("for", rule.for_duration);
  reader.Duration("keep_firing_for", rule.keep_firing_for);
  RawMap(reader, "labels", rule.labels, "label");
  RawMap(reader, "annotations", rule.annotations, "annotation");
  if (has_record) {
    for (const char* key : {"for", "keep_firing_for", "annotations"}) {
      if (reader.Has(key))
        reader.Fail(key, std::string("invalid field '") + key + "' in recording rule");
    }
  } else {
    CheckTemplates(reader, rule, "labels", rule.labels);
    CheckTemplates(reader, rule, "annotations", rule.annotations);
  }
  reader.Finish();
  if (errors.size() != before) return std::nullopt;
  return rule;
}

}  // namespace

std::vector<RuleGroupSpec> ParseRuleFile(const std::string& content, const std::string& file,
                                         ConfigErrors& errors) {
  std::vector<RuleGroupSpec> groups;
  YAML::Node root = LoadYamlDocument(content, errors);
  if (!root.IsDefined() || root.IsNull()) return groups;  // a problem, or an empty file (valid)
  if (!root.IsMap()) {
    errors.Add(root, std::string("a rule file must be a mapping with a \"groups:\" list, not a ") +
                         (root.IsSequence() ? "list" : "scalar"));
    return groups;
  }
  NoEnv env;
  MapReader top(root, "", errors, env);
  YAML::Node list = top.Child("groups");
  top.Finish();
  if (!list.IsDefined() || list.IsNull()) return groups;  // an empty rule file is valid
  if (!list.IsSequence()) {
    errors.Add(list, "groups: expected a list");
    return groups;
  }
  std::set<std::string> names;
  for (size_t g = 0; g < list.size(); ++g) {
    std::string path = "groups[" + std::to_string(g) + "]";
    MapReader reader(list[g], path, errors, env);
    RuleGroupSpec group;
    group.file = file;
    size_t before = errors.size();
    if (RawString(reader, "name", group.name, true)) {
      if (group.name.empty()) {
        reader.Fail("name", "group name must not be empty");
      } else if (!names.insert(group.name).second) {
        reader.Fail("name", "group name \"" + group.name + "\" is repeated in the same file");
      }
    }
    reader.Duration("interval", group.interval);
    if (reader.Has("limit")) reader.Fail("limit", "not supported by opswatch");
    YAML::Node rules = reader.Child("rules");
    reader.Finish();
    if (rules.IsDefined() && !rules.IsNull() && !rules.IsSequence()) {
      errors.Add(rules, path + ".rules: expected a list");
    } else if (rules.IsSequence()) {
      for (size_t r = 0; r < rules.size(); ++r) {
        auto rule = ParseRule(rules[r], path + ".rules[" + std::to_string(r) + "]", errors, env);
        if (rule) group.rules.push_back(std::move(*rule));
      }
    }
    if (errors.size() == before) groups.push_back(std::move(group));
  }
  return groups;
}

Result<std::vector<RuleGroupSpec>> LoadRuleFiles(const std::vector<std::string>& patterns,
                                                 const std::string& base_dir) {
  std::vector<RuleGroupSpec> groups;
  std::string problems;
  size_t problem_count = 0;  // problems beyond ConfigErrors::kMaxFormattedErrors are only counted
  auto add_problems = [&problems, &problem_count](const std::string& lines, size_t count) {
    if (problem_count < ConfigErrors::kMaxFormattedErrors) problems += lines;
    problem_count += count;
  };
  std::set<std::string> seen;
  for (const auto& pattern : patterns) {
    std::filesystem::path full(pattern);
    if (full.is_relative() && !base_dir.empty()) full = std::filesystem::path(base_dir) / full;
    glob_t matches{};
    int rc = ::glob(full.c_str(), GLOB_ERR, nullptr, &matches);
    std::vector<std::string> files;
    for (size_t i = 0; rc == 0 && i < matches.gl_pathc; ++i)
      files.emplace_back(matches.gl_pathv[i]);
    ::globfree(&matches);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      add_problems(EscapeInvalidUtf8(pattern) + ": cannot expand rule_files pattern\n", 1);
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      if (!seen.insert(file).second) continue;
      auto content = ReadBoundedFile(file, kConfigFileLimit);
      if (!content) {
        add_problems(EscapeInvalidUtf8(file) + ": cannot read rule file: " + content.error() + "\n",
                     1);
        continue;
      }
      ConfigErrors errors;
      auto parsed = ParseRuleFile(*content, file, errors);
      add_problems(errors.Format(file), errors.size());
      for (auto& g : parsed) groups.push_back(std::move(g));
    }
  }
  if (problem_count > ConfigErrors::kMaxFormattedErrors) {
    problems +=
        "... and more problems in rule files (" + std::to_string(problem_count) + " in all)\n";
  }
  if (!problems.empty()) {
    problems.pop_back();  // trailing newline
    return Result<std::vector<RuleGroupSpec>>::Error(problems);
  }
  return groups;
}

}  // namespace opswatch
