#include "collectors/relabel_config.hpp"

namespace opswatch {
namespace {

// One entry; nullopt (with the problems recorded) when invalid.
std::optional<RelabelRule> ReadRelabelConfig(MapReader& entry) {
  RelabelSpec spec;
  bool ok = entry.StringList("source_labels", spec.source_labels);
  ok = entry.String("separator", spec.separator) && ok;
  ok = entry.String("regex", spec.regex) && ok;
  ok = entry.String("target_label", spec.target_label) && ok;
  ok = entry.String("replacement", spec.replacement) && ok;
  int64_t modulus = 0;
  if (entry.Int("modulus", modulus)) {
    if (modulus < 0) {
      entry.Fail("modulus", "must not be negative");
      ok = false;
    }
    spec.modulus = uint64_t(std::max<int64_t>(modulus, 0));
  } else {
    ok = false;
  }
  std::string action = "replace";
  if (entry.String("action", action)) {
    auto parsed = ParseRelabelAction(action);
    if (parsed) {
      spec.action = *parsed;
    } else {
      entry.Fail("action", "unknown relabel action \"" + action +
                               "\" (known actions: " + RelabelActionNames() + ")");
      ok = false;
    }
  } else {
    ok = false;
  }
  entry.Finish();
  if (!ok) return std::nullopt;
  RelabelRule rule;
  if (auto error = CompileRelabelRule(std::move(spec), rule)) {
    entry.Fail(error->key, error->message);
    return std::nullopt;
  }
  return rule;
}

}  // namespace

bool ReadRelabelConfigs(MapReader& reader, const std::string& key, std::vector<RelabelRule>& out) {
  YAML::Node list = reader.Child(key);
  if (!list.IsDefined() || list.IsNull()) return true;
  if (!list.IsSequence()) {
    reader.Fail(key, "must be a list of relabel configs");
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader entry(list[i], reader.KeyPath(key) + "[" + std::to_string(i) + "]", reader.errors(),
                    reader.env());
    auto rule = ReadRelabelConfig(entry);
    if (rule) {
      out.push_back(std::move(*rule));
    } else {
      ok = false;
    }
  }
  return ok;
}

}  // namespace opswatch
