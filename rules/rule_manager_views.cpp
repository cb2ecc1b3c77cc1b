// RuleManager's read-only views: metrics, Prometheus-shaped JSON for /api/v1/rules and
// /api/v1/alerts, and the effective rules as a rule file.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "core/json_dump.hpp"
#include "core/time_format.hpp"
#include "rules/promql/promql_ast.hpp"
#include "rules/rule_manager.hpp"
#include "rules/rule_metrics.hpp"

namespace opswatch {

namespace {

using Json = nlohmann::ordered_json;

// strconv.FormatFloat(v, 'e', -1, 64), as Prometheus's API renders alert values ("5.23e-02").
std::string GoExpFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  for (int precision = 0; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

Json LabelsJson(const Labels& labels) {
  Json out = Json::object();
  for (const auto& l : labels) out[l.name] = l.value;
  return out;
}

Json MapJson(const std::map<std::string, std::string>& map) {
  Json out = Json::object();
  for (const auto& [k, v] : map) out[k] = v;
  return out;
}

Json AlertJson(const AlertRecord& record) {
  const Alert& a = record.alert;
  Json out = {{"labels", LabelsJson(a.labels)},
              {"annotations", MapJson(a.annotations)},
              {"state", AlertStateName(a.state)},
              {"activeAt", FormatRfc3339Nano(a.active_at)}};
  if (record.keep_firing_since != SystemTime{}) {
    out["keepFiringSince"] = FormatRfc3339Nano(record.keep_firing_since);
  }
  out["value"] = GoExpFloat(a.value);
  return out;
}

// The API replies are written piece by piece: a DOM of 100,000 rules took ~350 MB in hundreds of
// small allocations per rule, which each server thread's malloc arena then kept. Only one rule's
// or alert's DOM exists at a time now; the reply string is the only large allocation.
void AppendJson(std::string& out, const Json& value) { out += DumpJson(value); }

// A template only because RuleManager::RuleState is private.
template <typename RuleState>
Json RuleJson(const RuleState& rule) {
  const RuleSpec& spec = rule.spec;
  std::string query = spec.expr ? promql::Format(*spec.expr) : spec.expr_text;
  Json labels = MapJson(spec.labels);
  Json j;
  if (spec.kind == RuleSpec::Kind::kAlerting) {
    AlertState state = AlertState::kInactive;
    Json alerts = Json::array();
    for (const auto& [fp, record] : rule.alerts) {
      if (record.alert.resolved()) continue;
      if (record.alert.state == AlertState::kFiring) state = AlertState::kFiring;
      if (record.alert.state == AlertState::kPending && state != AlertState::kFiring) {
        state = AlertState::kPending;
      }
      alerts.push_back(AlertJson(record));
    }
    j = {{"state", AlertStateName(state)},
         {"name", spec.name},
         {"query", query},
         {"duration", ToSeconds(spec.for_duration)},
         {"keepFiringFor", ToSeconds(spec.keep_firing_for)},
         {"labels", labels},
         {"annotations", MapJson(spec.annotations)},
         {"alerts", alerts},
         {"health", rule.health}};
  } else {
    j = {{"name", spec.name}, {"query", query}};
    if (!spec.labels.empty()) j["labels"] = labels;
    j["health"] = rule.health;
  }
  if (!rule.last_error.empty()) j["lastError"] = rule.last_error;
  j["evaluationTime"] = rule.evaluation_seconds;
  j["lastEvaluation"] = FormatRfc3339Nano(rule.last_evaluation);
  j["type"] = spec.kind == RuleSpec::Kind::kAlerting ? "alerting" : "recording";
  return j;
}

}  // namespace

std::vector<MetricFamily> RuleManager::Families() const {
  std::lock_guard lock(mu_);
  MetricFamily alerts = NewFamily(rule_metrics::kAlerts);
  MetricFamily for_state = NewFamily(rule_metrics::kAlertsForState);
  MetricFamily duration = NewFamily(rule_metrics::kEvaluationDuration);
  MetricFamily failures = NewFamily(rule_metrics::kEvaluationFailures);
  MetricFamily last = NewFamily(rule_metrics::kGroupLastEvaluation);
  for (const auto& group : groups_) {
    Labels group_labels{{"rule_group", group.key()}};
    duration.Add(group_labels, group.evaluation_seconds);
    failures.Add(group_labels, group.failures);
    last.Add(group_labels,
             group.last_evaluation == SystemTime{} ? 0 : ToUnixSeconds(group.last_evaluation));
    for (const auto& rule : group.rules) {
      for (const auto& [fp, record] : rule.alerts) {
        const Alert& a = record.alert;
        if (a.state == AlertState::kInactive) continue;
        Labels labels = a.labels;
        labels.Set("alertstate", AlertStateName(a.state));
        alerts.Add(std::move(labels), 1);
        for_state.Add(a.labels, std::floor(ToUnixSeconds(a.active_at)));
      }
    }
  }
  std::vector<MetricFamily> out = {std::move(alerts), std::move(for_state), std::move(duration),
                                   std::move(failures), std::move(last)};
  out.push_back(NewFamily(rule_metrics::kHistorySeries)
                    .Add({}, static_cast<double>(history_.series_count())));
  out.push_back(NewFamily(rule_metrics::kHistorySamples)
                    .Add({}, static_cast<double>(history_.sample_count())));
  out.push_back(NewFamily(rule_metrics::kHistoryBytes)
                    .Add({}, static_cast<double>(history_.bytes_estimate())));
  return out;
}

std::string RuleManager::RulesJson() const {
  std::lock_guard lock(mu_);
  std::string out = R"({"status":"success","data":{"groups":[)";
  for (size_t g = 0; g < groups_.size(); ++g) {
    const auto& group = groups_[g];
    if (g > 0) out += ',';
    out += R"({"name":)";
    AppendJson(out, group.spec.name);
    out += R"(,"file":)";
    AppendJson(out, group.spec.file);
    out += R"(,"rules":[)";
    for (size_t r = 0; r < group.rules.size(); ++r) {
      if (r > 0) out += ',';
      AppendJson(out, RuleJson(group.rules[r]));
    }
    out += R"(],"interval":)";
    AppendJson(out, ToSeconds(group.interval));
    out += R"(,"limit":0,"evaluationTime":)";
    AppendJson(out, group.evaluation_seconds);
    out += R"(,"lastEvaluation":)";
    AppendJson(out, FormatRfc3339Nano(group.last_evaluation));
    out += '}';
  }
  out += "]}}";
  return out;
}

std::string RuleManager::AlertsJson() const {
  std::lock_guard lock(mu_);
  std::string out = R"({"status":"success","data":{"alerts":[)";
  bool first = true;
  for (const auto& group : groups_) {
    for (const auto& rule : group.rules) {
      for (const auto& [fp, record] : rule.alerts) {
        if (record.alert.state == AlertState::kInactive) continue;
        if (!first) out += ',';
        first = false;
        AppendJson(out, AlertJson(record));
      }
    }
  }
  out += "]}}";
  return out;
}

std::string RuleManager::PrintRules() const {
  std::lock_guard lock(mu_);
  YAML::Emitter out;
  out << YAML::Comment(
      "Effective opswatch rules (built-in and rule files), generated by --print-rules.");
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  std::set<std::string> names;
  for (const auto& group : groups_) {
    // One file cannot repeat a group name; groups of different files may share one.
    std::string name = group.spec.name;
    if (!names.insert(name).second) {
      name += " (" + group.spec.file + ")";
      names.insert(name);
    }
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name;
    if (group.spec.interval.count() > 0) {
      out << YAML::Key << "interval" << YAML::Value << FormatDuration(group.spec.interval);
    }
    out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    for (const auto& rule : group.rules) {
      const RuleSpec& spec = rule.spec;
      bool alerting = spec.kind == RuleSpec::Kind::kAlerting;
      out << YAML::BeginMap << YAML::Key << (alerting ? "alert" : "record") << YAML::Value
          << spec.name << YAML::Key << "expr" << YAML::Value << spec.expr_text;
      if (alerting && spec.for_duration.count() > 0) {
        out << YAML::Key << "for" << YAML::Value << FormatDuration(spec.for_duration);
      }
      if (alerting && spec.keep_firing_for.count() > 0) {
        out << YAML::Key << "keep_firing_for" << YAML::Value
            << FormatDuration(spec.keep_firing_for);
      }
      for (const auto* map : {&spec.labels, &spec.annotations}) {
        if (map->empty()) continue;
        out << YAML::Key << (map == &spec.labels ? "labels" : "annotations") << YAML::Value
            << YAML::BeginMap;
        for (const auto& [k, v] : *map) {
          out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
        }
        out << YAML::EndMap;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace opswatch
