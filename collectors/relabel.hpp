// Prometheus's relabelling (model/relabel in Prometheus 2.42) for label sets that carry the metric
// name as `__name__`: scrape's metric_relabel_configs now, remote_write's write_relabel_configs
// later. Same defaults (separator ";", regex "(.*)" anchored at both ends, replacement "$1",
// action replace), same actions (replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep)
// and the same expansion of $1, ${1}, $name and ${name} in replacement and target_label (Go's
// Regexp.Expand: a reference to a group that does not exist expands to nothing, `$$` is `$`).
// Regexes are RE2, whose syntax is Go's.
// Thread-safety: a RelabelRule is immutable after CompileRelabelRule; ApplyRelabelRules may run
// concurrently on one rule list.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/labels.hpp"

namespace opswatch {

enum class RelabelAction { kReplace, kKeep, kDrop, kHashMod, kLabelMap, kLabelDrop, kLabelKeep };

// One relabel_config entry as written, defaults applied.
struct RelabelSpec {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string regex = "(.*)";
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;
};

struct RelabelRule {
  RelabelSpec spec;
  std::shared_ptr<const RE2> regex;  // spec.regex wrapped in ^(?: ... )$
};

// The action named `name` (case-insensitive, as Prometheus reads it); nullopt when unknown.
std::optional<RelabelAction> ParseRelabelAction(const std::string& name);
// The names ParseRelabelAction accepts, for error messages.
const char* RelabelActionNames();

// A problem with one entry, and the key it belongs to (so the config reader can position it).
struct RelabelSpecError {
  std::string key;
  std::string message;
};

// The cross-field rules Prometheus checks at load (target_label required and a valid name or
// $-template for replace and hashmod, a non-zero modulus for hashmod, nothing but `regex` for
// labeldrop and labelkeep, a label-name template as labelmap's replacement), then the regex
// compiled anchored. Messages are Prometheus's. Fills `out` and returns nullopt when valid.
std::optional<RelabelSpecError> CompileRelabelRule(RelabelSpec spec, RelabelRule& out);

// Applies `rules` in order to `labels` (which include __name__). False when a keep or drop rule
// dropped the series; `labels` is then unspecified. A label set to an empty value is removed, as
// Prometheus's labels.Builder does.
bool ApplyRelabelRules(const std::vector<RelabelRule>& rules, Labels& labels);

}  // namespace opswatch
