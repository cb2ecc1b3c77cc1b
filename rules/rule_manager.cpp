#include "rules/rule_manager.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "rules/promql/promql_eval.hpp"
#include "rules/template/template.hpp"

namespace opswatch {

namespace {

// Go's url.QueryEscape, as Prometheus builds generator URLs.
std::string QueryEscape(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

RuleManager::RuleManager(RuleManagerOptions options, const Clock& clock, Logger& logger)
    : options_(std::move(options)),
      clock_(clock),
      logger_(logger),
      history_(promql::kLookbackDelta) {
  if (options_.state_dir.empty()) return;
  store_ = std::make_unique<AlertStore>(options_.state_dir);
  auto loaded = store_->Load();
  if (!loaded) {
    logger_.Warn("alert state not restored", {{"err", loaded.error()}});
    return;
  }
  restore_ = std::move(loaded).value();
  if (!restore_.alerts.empty()) {
    logger_.Info("alert state loaded", {{"alerts", restore_.alerts.size()}});
  }
}

void RuleManager::SetRules(std::vector<RuleGroupSpec> groups) {
  std::lock_guard lock(mu_);
  // Alerts carry over to the rule with the same group, name and labels, as Prometheus's
  // Group.CopyState: a rule whose expression changed keeps its alerts, so one that stops matching
  // resolves (and the resolve is sent) instead of vanishing.
  auto identity = [](const std::string& group_key, const RuleSpec& spec) {
    std::string key = RuleKey(group_key, spec.name);
    for (const auto& [name, value] : spec.labels) key += "\n" + name + "=" + value;
    return key;
  };
  std::map<std::string, ActiveAlerts> previous;
  for (auto& group : groups_) {
    for (auto& rule : group.rules) {
      previous.try_emplace(identity(group.key(), rule.spec), std::move(rule.alerts));
    }
  }
  std::vector<GroupState> next;
  Millis retention = promql::kLookbackDelta;
  for (auto& spec : groups) {
    GroupState group;
    group.interval = spec.interval.count() > 0 ? spec.interval : options_.evaluation_interval;
    for (auto& rule_spec : spec.rules) {
      RuleState rule;
      rule.spec = std::move(rule_spec);
      for (const auto& [name, text] : rule.spec.labels) {
        rule.label_templates.emplace_back(name, AlertTemplate(rule.spec.name, text));
      }
      for (const auto& [name, text] : rule.spec.annotations) {
        rule.annotation_templates.emplace_back(name, AlertTemplate(rule.spec.name, text));
      }
      // Prometheus's TableLinkForExpression over the canonical expression text.
      rule.generator_url =
          options_.external_url + "/graph?g0.expr=" +
          QueryEscape(rule.spec.expr ? promql::Format(*rule.spec.expr) : rule.spec.expr_text) +
          "&g0.tab=1";
      if (rule.spec.expr) retention = std::max(retention, promql::MaxRange(*rule.spec.expr));
      group.rules.push_back(std::move(rule));
    }
    spec.rules.clear();
    group.spec = std::move(spec);
    for (auto& rule : group.rules) {
      auto it = previous.find(identity(group.key(), rule.spec));
      if (it != previous.end()) {
        rule.alerts = std::move(it->second);
        previous.erase(it);  // a duplicate rule of the same identity starts empty
      }
    }
    next.push_back(std::move(group));
  }
  groups_ = std::move(next);
  // Saved alerts of rules that no longer exist would otherwise be carried forever.
  std::set<std::string> keys;
  for (const auto& g : groups_) {
    for (const auto& r : g.rules) keys.insert(RuleKey(g.key(), r.spec.name));
  }
  std::erase_if(restore_.alerts, [&keys](const StoredAlert& a) { return !keys.count(a.rule_key); });
  // Keep one evaluation interval beyond the longest range so a range is full at every evaluation.
  Millis longest_interval = options_.evaluation_interval;
  for (const auto& g : groups_) longest_interval = std::max(longest_interval, g.interval);
  history_.SetRetention(retention + longest_interval);
}

std::vector<Alert> RuleManager::Tick(const SnapshotPtr& snapshot, SystemTime now) {
  std::lock_guard lock(mu_);
  std::vector<Alert> to_send;
  bool due = std::any_of(groups_.begin(), groups_.end(),
                         [now](const GroupState& g) { return g.next_evaluation <= now; });
  if (!due) return to_send;
  // The snapshot is sampled at evaluation time, as a Prometheus scraping opswatch would see it.
  // history_only under a source of its own: staleness compares a source's rounds, and the two
  // lists are built separately.
  if (snapshot) {
    history_.AppendFamilies(now, snapshot->families, "snapshot");
    history_.AppendFamilies(now, snapshot->history_only, "snapshot:history_only");
  }
  for (auto& group : groups_) {
    if (group.next_evaluation > now) continue;
    EvaluateGroup(group, now, to_send);
    // Keep the cadence; after a long pause start again from now rather than catching up.
    group.next_evaluation = group.next_evaluation == SystemTime{}
                                ? now + group.interval
                                : group.next_evaluation + group.interval;
    if (group.next_evaluation <= now) group.next_evaluation = now + group.interval;
  }
  SaveState(now);
  return to_send;
}

void RuleManager::EvaluateGroup(GroupState& group, SystemTime now, std::vector<Alert>& to_send) {
  SteadyTime start = clock_.SteadyNow();
  for (size_t i = 0; i < group.rules.size(); ++i) {
    RuleState& rule = group.rules[i];
    SteadyTime rule_start = clock_.SteadyNow();
    if (rule.spec.kind == RuleSpec::Kind::kRecording) {
      EvaluateRecording(group, i, now);
    } else {
      EvaluateAlerting(group, rule, now);
      for (auto& alert :
           TakeAlertsToSend(rule.alerts, now, options_.resend_delay, group.interval)) {
        to_send.push_back(Outgoing(alert, rule));
      }
    }
    if (rule.health == "err") group.failures += 1;
    rule.last_evaluation = now;
    rule.evaluation_seconds = ToSeconds(clock_.SteadyNow() - rule_start);
  }
  group.last_evaluation = now;
  group.evaluation_seconds = ToSeconds(clock_.SteadyNow() - start);
  if (logger_.Enabled(LogLevel::kDebug)) {
    size_t failed = std::count_if(group.rules.begin(), group.rules.end(),
                                  [](const RuleState& r) { return r.health == "err"; });
    logger_.Debug("rule group evaluated", {{"group", group.key()},
                                           {"rules", group.rules.size()},
                                           {"failed_rules", failed},
                                           {"duration_seconds", group.evaluation_seconds}});
  }
}

void RuleManager::EvaluateRecording(GroupState& group, size_t index, SystemTime now) {
  RuleState& rule = group.rules[index];
  auto result = promql::Evaluate(*rule.spec.expr, history_, now, &selections_);
  if (!result) {
    rule.health = "err";
    rule.last_error = result.error();
    return;
  }
  std::vector<Series> out;
  std::set<uint64_t> seen;
  result->ScalarToVector();
  for (const auto& sample : result->vector) {
    Labels labels = *sample.labels;
    labels.Remove("__name__");
    for (const auto& [name, value] : rule.spec.labels) labels.Set(name, value);
    Labels full = labels;
    full.Set("__name__", rule.spec.name);
    if (!seen.insert(full.Fingerprint()).second) {
      rule.health = "err";
      rule.last_error = "vector contains metrics with the same labelset after applying rule labels";
      return;
    }
    out.push_back(Series{rule.spec.name, std::move(labels), sample.value});
  }
  // Its own source, so a series that stops being produced gets a staleness marker.
  history_.Append(now, out, "record:" + group.key() + "/" + std::to_string(index));
  rule.health = "ok";
  rule.last_error.clear();
}

void RuleManager::EvaluateAlerting(GroupState& group, RuleState& rule, SystemTime now) {
  const std::string key = RuleKey(group.key(), rule.spec.name);
  // The first evaluation after a restart starts from the saved state.
  std::vector<AlertRecord> saved;
  for (auto it = restore_.alerts.begin(); it != restore_.alerts.end();) {
    if (it->rule_key == key) {
      saved.push_back(std::move(it->record));
      it = restore_.alerts.erase(it);
    } else {
      ++it;
    }
  }
  if (!saved.empty()) {
    RestoreAlerts(rule.alerts, saved, rule.spec.for_duration, restore_.saved_at, now,
                  options_.restore);
  }

  auto result = promql::Evaluate(*rule.spec.expr, history_, now, &selections_);
  if (!result) {
    rule.health = "err";
    rule.last_error = result.error();
    return;
  }
  std::vector<AlertCandidate> candidates;
  std::string template_limit_error;  // an expansion cut off by opswatch's output cap
  result->ScalarToVector();
  for (const auto& sample : result->vector) {
    TemplateData data{*sample.labels, options_.external_labels, options_.external_url,
                      sample.value};
    AlertCandidate candidate;
    candidate.labels = *sample.labels;
    candidate.labels.Remove("__name__");
    for (const auto& [name, tmpl] : rule.label_templates) {
      candidate.labels.Set(name, tmpl.Expand(data, &template_limit_error));
    }
    candidate.labels.Set("alertname", rule.spec.name);
    for (const auto& [name, tmpl] : rule.annotation_templates) {
      candidate.annotations[name] = tmpl.Expand(data, &template_limit_error);
    }
    candidate.value = sample.value;
    candidates.push_back(std::move(candidate));
  }
  Status s = UpdateAlerts(rule.alerts, std::move(candidates),
                          AlertTiming{rule.spec.for_duration, rule.spec.keep_firing_for}, now);
  if (!s.ok()) {
    rule.health = "err";
    rule.last_error = s.message();
    return;
  }
  // Other template errors only show in-line, as in Prometheus; a cut-off expansion is a limit of
  // ours, so the rule's health says so too (its alerts still carry the error text).
  rule.health = template_limit_error.empty() ? "ok" : "err";
  rule.last_error = template_limit_error;
}

Alert RuleManager::Outgoing(const Alert& alert, const RuleState& rule) const {
  Alert out = alert;
  for (const auto& label : options_.external_labels) {
    if (!out.labels.Has(label.name)) out.labels.Set(label.name, label.value);
  }
  out.generator_url = rule.generator_url;
  return out;
}

// What a restart needs to resume: which alerts exist and their state and timers. Values,
// annotations and send times change every evaluation and are recomputed by the first one after
// a restart, so a round that changed none of this does not rewrite (and fsync) the file: with
// thousands of active alerts that write was most of a round.
uint64_t RuleManager::StateDigest() const {
  uint64_t digest = 0xcbf29ce484222325ULL;
  auto mix = [&digest](uint64_t v) { digest = (digest ^ v) * 0x100000001b3ULL; };
  auto ticks = [](SystemTime t) { return static_cast<uint64_t>(t.time_since_epoch().count()); };
  for (const auto& group : groups_) {
    mix(std::hash<std::string>{}(group.key()));
    for (const auto& rule : group.rules) {
      mix(std::hash<std::string>{}(rule.spec.name));
      for (const auto& [fp, record] : rule.alerts) {
        mix(fp);
        mix(static_cast<uint64_t>(record.alert.state));
        mix(ticks(record.alert.active_at));
        mix(ticks(record.alert.fired_at));
        mix(ticks(record.alert.resolved_at));
        mix(ticks(record.keep_firing_since));
      }
    }
  }
  mix(restore_.alerts.size());
  return digest;
}

void RuleManager::SaveState(SystemTime now) {
  if (!store_) return;
  const uint64_t digest = StateDigest();
  if (digest == saved_digest_ && last_save_error_.empty()) {
    Status alive = store_->MarkAlive(now);
    if (!alive.ok())
      logger_.Debug("cannot record the last evaluation time", {{"err", alive.message()}});
    return;
  }
  StoredAlerts state;
  state.saved_at = now;
  for (const auto& group : groups_) {
    for (const auto& rule : group.rules) {
      for (const auto& [fp, record] : rule.alerts) {
        state.alerts.push_back({RuleKey(group.key(), rule.spec.name), record});
      }
    }
  }
  // Saved alerts of rules not evaluated yet stay saved until they are.
  for (const auto& stored : restore_.alerts) state.alerts.push_back(stored);
  Status s = store_->Save(state);
  if (!s.ok() && s.message() != last_save_error_) {
    logger_.Error("cannot save alert state", {{"err", s.message()}});
  } else if (s.ok() && !last_save_error_.empty()) {
    logger_.Info("alert state saved again");
  }
  last_save_error_ = s.ok() ? "" : s.message();
  if (s.ok()) saved_digest_ = digest;
}

std::vector<Alert> RuleManager::Alerts() const {
  std::lock_guard lock(mu_);
  std::vector<Alert> out;
  for (const auto& group : groups_) {
    for (const auto& rule : group.rules) {
      for (const auto& [fp, record] : rule.alerts) {
        if (record.alert.state != AlertState::kInactive) out.push_back(record.alert);
      }
    }
  }
  return out;
}

}  // namespace opswatch
