// The `alerting` section of opswatch.yml: receivers, their routing, grouping and retry policy.
// Parsed strictly (unknown keys are errors) with positioned messages, like every config section.
// Thread-safety: value types.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "core/labels.hpp"
#include "core/secret.hpp"
#include "core/units.hpp"

namespace re2 {
class RE2;
}

namespace opswatch::notify {

enum class ReceiverType { kWebhook, kAlertmanager };

struct RetryPolicy {
  Millis initial{500};
  double multiplier = 1.5;
  Millis max_interval{std::chrono::seconds(60)};
  Millis max_elapsed{std::chrono::hours(24)};
  double jitter = 0.5;  // fraction of the delay added or removed at random, in [0, 1]
};

// One `match_re` entry: an anchored RE2 (as Alertmanager's and Prometheus's matchers).
struct RegexMatcher {
  std::string name;
  std::string pattern;
  std::shared_ptr<const re2::RE2> regex;  // shared: config values are copied freely
};

struct ReceiverConfig {
  std::string name;
  ReceiverType type = ReceiverType::kWebhook;
  Secret url;  // webhook URL, or the Alertmanager base URL
  std::map<std::string, std::string> match;
  std::vector<RegexMatcher> match_re;
  std::vector<std::string> group_by;  // empty: one group for all alerts; ["..."]: no grouping
  Millis group_wait{std::chrono::seconds(10)};
  Millis group_interval{std::chrono::minutes(1)};
  Millis repeat_interval{std::chrono::hours(4)};
  bool send_resolved = true;
  int64_t max_alerts = 0;  // 0: no limit
  Millis timeout{std::chrono::seconds(10)};
  std::map<std::string, std::string> headers;  // may hold tokens: never logged
  RetryPolicy retry;
};

struct AlertingConfig {
  std::string external_url;
  Millis resend_delay{std::chrono::minutes(1)};
  std::vector<ReceiverConfig> receivers;
};

// Reads the `alerting` node (undefined or null: no receivers). Problems are added to `errors`
// with the path "alerting...." and the node's position; the result is meaningful only when no
// error was added.
AlertingConfig ParseAlertingConfig(const YAML::Node& node, ConfigErrors& errors,
                                   const ConfigEnv& env);

// True when `labels` satisfy every `match` equality and every `match_re` regex of `receiver`.
bool Matches(const ReceiverConfig& receiver, const Labels& labels);

}  // namespace opswatch::notify
