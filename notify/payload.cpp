#include "notify/payload.hpp"

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "core/time_format.hpp"

namespace opswatch::notify {
namespace {

nlohmann::json LabelsJson(const Labels& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& label : labels) out[label.name] = label.value;
  return out;
}

nlohmann::json AnnotationsJson(const std::map<std::string, std::string>& annotations) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : annotations) out[name] = value;
  return out;
}

// Labels every alert has with the same value (Alertmanager's commonLabels).
Labels CommonLabels(const std::vector<Alert>& alerts) {
  if (alerts.empty()) return {};
  Labels common = alerts.front().labels;
  for (size_t i = 1; i < alerts.size(); ++i) {
    Labels kept;
    for (const auto& label : common) {
      if (alerts[i].labels.Has(label.name) && alerts[i].labels.Get(label.name) == label.value) {
        kept.Set(label.name, label.value);
      }
    }
    common = std::move(kept);
  }
  return common;
}

std::map<std::string, std::string> CommonAnnotations(const std::vector<Alert>& alerts) {
  if (alerts.empty()) return {};
  std::map<std::string, std::string> common = alerts.front().annotations;
  for (size_t i = 1; i < alerts.size(); ++i) {
    for (auto it = common.begin(); it != common.end();) {
      auto other = alerts[i].annotations.find(it->first);
      if (other == alerts[i].annotations.end() || other->second != it->second) {
        it = common.erase(it);
      } else {
        ++it;
      }
    }
  }
  return common;
}

}  // namespace

std::string FingerprintHex(const Labels& labels) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016" PRIx64, labels.Fingerprint());
  return buffer;
}

SystemTime AlertStartsAt(const Alert& alert) {
  return alert.fired_at != SystemTime{} ? alert.fired_at : alert.active_at;
}

nlohmann::ordered_json WebhookBody(const WebhookMessage& message, const std::string& external_url) {
  bool any_firing = false;
  nlohmann::ordered_json alerts = nlohmann::ordered_json::array();
  for (const Alert& alert : message.alerts) {
    any_firing = any_firing || !alert.resolved();
    nlohmann::ordered_json item;
    item["status"] = alert.resolved() ? "resolved" : "firing";
    item["labels"] = LabelsJson(alert.labels);
    item["annotations"] = AnnotationsJson(alert.annotations);
    item["startsAt"] = FormatRfc3339Nano(AlertStartsAt(alert));
    item["endsAt"] = FormatRfc3339Nano(alert.resolved() ? alert.resolved_at : SystemTime{});
    item["generatorURL"] = alert.generator_url;
    item["fingerprint"] = FingerprintHex(alert.labels);
    alerts.push_back(std::move(item));
  }
  // Key order as Alertmanager's Go struct marshals it.
  nlohmann::ordered_json body;
  body["receiver"] = message.receiver;
  body["status"] = any_firing ? "firing" : "resolved";
  body["alerts"] = alerts;
  body["groupLabels"] = LabelsJson(message.group_labels);
  body["commonLabels"] = LabelsJson(CommonLabels(message.alerts));
  body["commonAnnotations"] = AnnotationsJson(CommonAnnotations(message.alerts));
  body["externalURL"] = external_url;
  body["version"] = "4";
  body["groupKey"] = message.group_key;
  body["truncatedAlerts"] = message.truncated_alerts;
  return body;
}

nlohmann::json PostableAlert(const Alert& alert, SystemTime firing_ends_at) {
  return {
      {"labels", LabelsJson(alert.labels)},
      {"annotations", AnnotationsJson(alert.annotations)},
      {"startsAt", FormatRfc3339Nano(AlertStartsAt(alert))},
      {"endsAt", FormatRfc3339Nano(alert.resolved() ? alert.resolved_at : firing_ends_at)},
      {"generatorURL", alert.generator_url},
  };
}

}  // namespace opswatch::notify
