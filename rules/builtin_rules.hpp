// Built-in alerting rules generated from each collector's `thresholds` (DESIGN.md §6): one group
// "opswatch-builtin:<collector>" per collector, every selector restricted to
// collector="<collector>". A threshold rule exists only when its threshold is configured; rules
// without a threshold (DiskReadOnly, DiskStuck, BackupCorrupt, ServiceDown, ServiceCheckFailed,
// PostgresDown, PostgresQueryFailing, CollectorFailing) always exist.
//
// Overriding: a rule-file alerting rule overrides a built-in rule when (1) its `alert` name equals
// the built-in rule's name and (2) its expression contains a vector or range selector with the
// equality matcher collector="<that collector>" (exactly `=`, not a regex). The built-in rule is
// then dropped; the file rule is kept as written. A same-named file rule without such a matcher
// overrides nothing (both run).
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/thresholds.hpp"
#include "rules/rule_file.hpp"

namespace opswatch {

// `type` is disk, backup, http, postgres (or "self" for a collector of any other type, which gets
// only CollectorFailing). Every group also holds CollectorFailing for its collector.
RuleGroupSpec GenerateBuiltinRules(const std::string& collector, const std::string& type,
                                   const Thresholds& thresholds);

// The effective rule set: built-in groups (minus overridden rules, and minus groups left empty)
// first, then the file groups. `overridden` (optional) receives "<collector>/<alertname>" of
// each built-in rule that a file rule replaced.
std::vector<RuleGroupSpec> MergeRuleGroups(std::vector<RuleGroupSpec> builtin,
                                           std::vector<RuleGroupSpec> files,
                                           std::vector<std::string>* overridden = nullptr);

// A threshold as a PromQL number literal: integers without exponent, others shortest round-trip.
std::string FormatThreshold(double value);

}  // namespace opswatch
