// The rule engine as the exporter sees it: owns the rule groups, the series history the PromQL
// evaluator reads, every alerting rule's alert state and its persistence.
//
// Tick(snapshot, now) evaluates the groups that are due (each on its own interval, default
// global.evaluation_interval), rules in file order so a recording rule's output is visible to the
// rules after it in the same group, as in Prometheus. It returns the alerts to hand to the
// dispatcher: firing alerts when new or every resend_delay, and resolved ones at once and then
// every resend_delay for 15 minutes (Prometheus's sendAlerts). Returned alerts carry the external
// labels (rule labels win on conflict), valid_until (= endsAt) and a generator URL.
//
// Thread-safety: thread-safe. Tick runs on the evaluation thread; Families/RulesJson/AlertsJson/
// PrintRules/Alerts may be called from HTTP threads at the same time (one mutex; an evaluation
// round holds it for its duration).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/alert.hpp"
#include "core/clock.hpp"
#include "core/logger.hpp"
#include "core/metric.hpp"
#include "core/snapshot.hpp"
#include "rules/alert_state.hpp"
#include "rules/alert_store.hpp"
#include "rules/promql/promql_eval.hpp"
#include "rules/promql/series_history.hpp"
#include "rules/rule_file.hpp"
#include "rules/template/template.hpp"

namespace opswatch {

struct RuleManagerOptions {
  Millis evaluation_interval = std::chrono::seconds(15);
  Labels external_labels;
  std::string external_url;  // for $externalURL and generator URLs
  std::string state_dir;     // empty: alert state is not persisted
  Millis resend_delay = std::chrono::minutes(1);
  RestoreOptions restore;
};

class RuleManager {
 public:
  // Loads persisted alert state from options.state_dir (a corrupt file is logged and ignored).
  RuleManager(RuleManagerOptions options, const Clock& clock, Logger& logger);
  RuleManager(const RuleManager&) = delete;
  RuleManager& operator=(const RuleManager&) = delete;

  // Sets the effective rule groups (see MergeRuleGroups); on reload, rules that keep their group,
  // name and expression keep their alerts. Groups are due at the next Tick.
  void SetRules(std::vector<RuleGroupSpec> groups);

  // Evaluates due groups at `now` over `snapshot` (may be null: no new samples).
  std::vector<Alert> Tick(const SnapshotPtr& snapshot, SystemTime now);

  // opswatch_alerts, opswatch_alerts_for_state, rule evaluation and history metrics.
  std::vector<MetricFamily> Families() const;
  // GET /api/v1/rules and GET /api/v1/alerts bodies, in Prometheus's JSON shape.
  std::string RulesJson() const;
  std::string AlertsJson() const;
  // The effective rules as one Prometheus rule file (YAML) that promtool check rules accepts.
  std::string PrintRules() const;
  // Pending and firing alerts (not resolved ones), for the status page and --once.
  std::vector<Alert> Alerts() const;

 private:
  struct RuleState {
    RuleSpec spec;
    // Parsed once per load: expanded for every alert of every evaluation.
    std::vector<std::pair<std::string, AlertTemplate>> label_templates;
    std::vector<std::pair<std::string, AlertTemplate>> annotation_templates;
    std::string generator_url;
    ActiveAlerts alerts;
    std::string health = "unknown";
    std::string last_error;
    SystemTime last_evaluation{};
    double evaluation_seconds = 0;
  };
  struct GroupState {
    RuleGroupSpec spec;  // rules moved into `rules`
    std::vector<RuleState> rules;
    Millis interval{0};
    SystemTime next_evaluation{};
    SystemTime last_evaluation{};
    double evaluation_seconds = 0;
    double failures = 0;
    // Prometheus's rule_group label: "<file>;<group>"; built-in groups have no file.
    std::string key() const { return spec.file.empty() ? spec.name : spec.file + ";" + spec.name; }
  };

  void EvaluateGroup(GroupState& group, SystemTime now, std::vector<Alert>& to_send);
  void EvaluateRecording(GroupState& group, size_t index, SystemTime now);
  void EvaluateAlerting(GroupState& group, RuleState& rule, SystemTime now);
  void SaveState(SystemTime now);
  uint64_t StateDigest() const;
  Alert Outgoing(const Alert& alert, const RuleState& rule) const;

  const RuleManagerOptions options_;
  const Clock& clock_;
  Logger& logger_;
  mutable std::mutex mu_;
  std::vector<GroupState> groups_;     // GUARDED_BY(mu_)
  SeriesHistory history_;              // GUARDED_BY(mu_)
  promql::SelectionCache selections_;  // GUARDED_BY(mu_): over history_
  std::unique_ptr<AlertStore> store_;  // null without state_dir
  StoredAlerts restore_;               // GUARDED_BY(mu_): not yet restored
  std::string last_save_error_;        // GUARDED_BY(mu_)
  uint64_t saved_digest_ = 0;          // GUARDED_BY(mu_): StateDigest() of the last good save
};

}  // namespace opswatch
