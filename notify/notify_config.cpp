#include "notify/notify_config.hpp"

#include <re2/re2.h>

#include <set>

#include "core/http_url.hpp"

namespace opswatch::notify {
namespace {

bool ValidReceiverName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void ParseRetry(MapReader& parent, RetryPolicy& retry) {
  YAML::Node node = parent.Child("retry");
  if (!node.IsDefined() || node.IsNull()) return;
  MapReader reader(node, parent.KeyPath("retry"), parent.errors(), parent.env());
  bool initial_ok = reader.Duration("initial", retry.initial);
  if (initial_ok && retry.initial.count() <= 0) reader.Fail("initial", "must be greater than 0");
  if (reader.Double("multiplier", retry.multiplier) && retry.multiplier < 1) {
    reader.Fail("multiplier", "must be at least 1");
  }
  if (reader.Duration("max_interval", retry.max_interval) && initial_ok &&
      retry.max_interval < retry.initial) {
    reader.Fail("max_interval",
                "must be at least retry.initial (" + FormatDuration(retry.initial) + ")");
  }
  if (reader.Duration("max_elapsed", retry.max_elapsed) && retry.max_elapsed.count() <= 0) {
    reader.Fail("max_elapsed", "must be greater than 0");
  }
  if (reader.Double("jitter", retry.jitter) && (retry.jitter < 0 || retry.jitter > 1)) {
    reader.Fail("jitter", "must be between 0 and 1");
  }
  reader.Finish();
}

void ParseMatchRe(MapReader& reader, ReceiverConfig& receiver) {
  std::map<std::string, std::string> patterns;
  if (!reader.StringMap("match_re", patterns)) return;
  for (const auto& [name, pattern] : patterns) {
    re2::RE2 plain(pattern, re2::RE2::Quiet);  // for an error message in the user's terms
    if (!plain.ok()) {
      reader.Fail("match_re", "invalid regex for " + name + ": " + plain.error());
      continue;
    }
    // Anchored like Prometheus and Alertmanager regex matchers.
    auto regex = std::make_shared<re2::RE2>("^(?:" + pattern + ")$", re2::RE2::Quiet);
    receiver.match_re.push_back(RegexMatcher{name, pattern, std::move(regex)});
  }
}

void Positive(MapReader& reader, const std::string& key, bool read_ok, Millis value) {
  if (read_ok && value.count() <= 0) reader.Fail(key, "must be greater than 0");
}

ReceiverConfig ParseReceiver(MapReader& reader) {
  ReceiverConfig receiver;
  if (reader.String("name", receiver.name, /*required=*/true) && reader.Has("name") &&
      !ValidReceiverName(receiver.name)) {
    reader.Fail("name", "must be letters, digits, '_', '-' or '.' (it becomes a metric label)");
  }
  std::string type;
  if (reader.String("type", type, /*required=*/true) && reader.Has("type")) {
    if (type == "webhook") {
      receiver.type = ReceiverType::kWebhook;
    } else if (type == "alertmanager") {
      receiver.type = ReceiverType::kAlertmanager;
    } else {
      reader.Fail("type", "unknown receiver type \"" + type + "\" (use webhook or alertmanager)");
    }
  }
  if (reader.SecretValue("url", receiver.url, /*required=*/true) && !receiver.url.empty()) {
    // Never echo the value: a webhook URL is a credential.
    if (auto parsed = ParseHttpUrl(receiver.url.Reveal()); !parsed) {
      reader.Fail(reader.Has("url") ? "url" : "url_file", parsed.error());
    }
  }
  reader.StringMap("match", receiver.match);
  ParseMatchRe(reader, receiver);
  reader.StringList("group_by", receiver.group_by);
  bool wait_ok = reader.Duration("group_wait", receiver.group_wait);
  if (wait_ok && receiver.group_wait.count() < 0) reader.Fail("group_wait", "must not be negative");
  Positive(reader, "group_interval", reader.Duration("group_interval", receiver.group_interval),
           receiver.group_interval);
  Positive(reader, "repeat_interval", reader.Duration("repeat_interval", receiver.repeat_interval),
           receiver.repeat_interval);
  reader.Bool("send_resolved", receiver.send_resolved);
  if (reader.Int("max_alerts", receiver.max_alerts) && receiver.max_alerts < 0) {
    reader.Fail("max_alerts", "must not be negative (0 means no limit)");
  }
  Positive(reader, "timeout", reader.Duration("timeout", receiver.timeout), receiver.timeout);
  reader.StringMap("headers", receiver.headers);
  ParseRetry(reader, receiver.retry);
  if (receiver.type == ReceiverType::kAlertmanager) {
    // Alertmanager does its own grouping; these keys would silently do nothing.
    for (const char* key : {"group_by", "group_wait", "group_interval", "repeat_interval",
                            "max_alerts", "send_resolved"}) {
      if (reader.Has(key)) {
        reader.Fail(key, "not used by alertmanager receivers (Alertmanager groups itself)");
      }
    }
  }
  return receiver;
}

}  // namespace

AlertingConfig ParseAlertingConfig(const YAML::Node& node, ConfigErrors& errors,
                                   const ConfigEnv& env) {
  AlertingConfig config;
  if (!node.IsDefined() || node.IsNull()) return config;
  MapReader reader(node, "alerting", errors, env);
  reader.String("external_url", config.external_url);
  Positive(reader, "resend_delay", reader.Duration("resend_delay", config.resend_delay),
           config.resend_delay);
  YAML::Node receivers = reader.Child("receivers");
  if (receivers.IsDefined() && !receivers.IsNull()) {
    if (!receivers.IsSequence()) {
      errors.Add(receivers, "alerting.receivers: expected a list");
    } else {
      std::set<std::string> names;
      for (size_t i = 0; i < receivers.size(); ++i) {
        std::string path = "alerting.receivers[" + std::to_string(i) + "]";
        MapReader item(receivers[i], path, errors, env);
        ReceiverConfig receiver = ParseReceiver(item);
        if (!receiver.name.empty() && !names.insert(receiver.name).second) {
          item.Fail("name", "duplicate receiver name \"" + receiver.name + "\"");
        }
        item.Finish();
        config.receivers.push_back(std::move(receiver));
      }
    }
  }
  reader.Finish();
  return config;
}

bool Matches(const ReceiverConfig& receiver, const Labels& labels) {
  for (const auto& [name, value] : receiver.match) {
    if (labels.Get(name) != value) return false;
  }
  for (const auto& matcher : receiver.match_re) {
    std::string_view value = labels.Get(matcher.name);
    if (!re2::RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *matcher.regex)) {
      return false;
    }
  }
  return true;
}

}  // namespace opswatch::notify
