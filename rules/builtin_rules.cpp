#include "rules/builtin_rules.hpp"

#include <chrono>

#include "core/collector_self_metrics.hpp"

namespace opswatch {

namespace {

// Compiles one rule text into `group`. Generated text is fixed up to the collector name, which is
// escaped, so a parse failure here is a bug: the rule is left out rather than failing a load.
void AddRule(const AlertRuleText& text, const std::string& collector, RuleGroupSpec& group) {
  auto parsed = promql::Parse(text.expr);
  if (!parsed) return;
  RuleSpec rule;
  rule.kind = RuleSpec::Kind::kAlerting;
  rule.name = text.alert;
  rule.expr_text = text.expr;
  rule.expr = std::move(parsed).value();
  rule.for_duration = text.for_duration;
  rule.labels = {{"severity", text.severity}};
  // The series carry collector= already; as a rule label it also keeps the rules of two
  // collectors of one type distinct (promtool reports same-name, same-label rules as duplicates).
  if (collector.find("{{") == std::string::npos) rule.labels["collector"] = collector;
  rule.annotations = {
      {"summary", text.summary}, {"description", text.description}, {"hint", text.hint}};
  rule.owner_label = text.owner_label.empty() ? "collector" : text.owner_label;
  rule.owner_value = text.owner_label.empty() ? collector : text.owner_value;
  group.rules.push_back(std::move(rule));
}

// Every collector, of any type, gets this one: its own failure hides its other alerts.
AlertRuleText CollectorFailing(const std::string& collector) {
  return {"CollectorFailing",
          CollectorSelector(collector_self_metrics::kUp, collector) + " == 0",
          std::chrono::minutes(5),
          "warning",
          "Collector {{ $labels.collector }} is failing",
          "The {{ $labels.type }} collector {{ $labels.collector }} has failed for 5 minutes, so "
          "its other alerts cannot be trusted.",
          "See lastError for {{ $labels.collector }} on opswatch's /health endpoint and its log."};
}

// Does `expr` select series with the equality matcher label="<value>"?
bool SelectsOwner(const promql::Expr& expr, const std::string& label, const std::string& value) {
  if (expr.kind == promql::ExprKind::kVectorSelector ||
      expr.kind == promql::ExprKind::kMatrixSelector) {
    for (const auto& m : expr.matchers) {
      if (m.op == promql::Matcher::Op::kEqual && m.name == label && m.value == value) {
        return true;
      }
    }
  }
  for (const auto* child : {&expr.lhs, &expr.rhs}) {
    if (*child && SelectsOwner(**child, label, value)) return true;
  }
  for (const auto& arg : expr.args) {
    if (arg && SelectsOwner(*arg, label, value)) return true;
  }
  return false;
}

}  // namespace

RuleGroupSpec BuiltinRuleGroup(const std::string& collector,
                               const std::vector<AlertRuleText>& type_rules) {
  RuleGroupSpec group;
  group.name = "opswatch-builtin:" + collector;
  group.builtin = true;
  group.collector = collector;
  for (const auto& text : type_rules) AddRule(text, collector, group);
  AddRule(CollectorFailing(collector), collector, group);
  return group;
}

std::vector<RuleGroupSpec> MergeRuleGroups(std::vector<RuleGroupSpec> builtin,
                                           std::vector<RuleGroupSpec> files,
                                           std::vector<std::string>* overridden) {
  std::vector<RuleGroupSpec> out;
  for (auto& group : builtin) {
    std::vector<RuleSpec> kept;
    for (auto& rule : group.rules) {
      bool replaced = false;
      for (const auto& file_group : files) {
        for (const auto& file_rule : file_group.rules) {
          if (file_rule.kind == RuleSpec::Kind::kAlerting && file_rule.name == rule.name &&
              file_rule.expr && SelectsOwner(*file_rule.expr, rule.owner_label, rule.owner_value)) {
            replaced = true;
          }
        }
      }
      if (replaced) {
        if (overridden) overridden->push_back(group.collector + "/" + rule.name);
      } else {
        kept.push_back(std::move(rule));
      }
    }
    group.rules = std::move(kept);
    if (!group.rules.empty()) out.push_back(std::move(group));
  }
  for (auto& group : files) out.push_back(std::move(group));
  return out;
}

}  // namespace opswatch
