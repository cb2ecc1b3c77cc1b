#include "notify/payload.hpp"

#include <cinttypes>
#include <cstdio>
#include <ctime>

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

std::string FormatRfc3339(SystemTime t) {
  if (t == SystemTime{}) return "0001-01-01T00:00:00Z";
  auto since_epoch = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch());
  int64_t total_ns = since_epoch.count();
  int64_t seconds = total_ns / 1'000'000'000;
  int64_t nanos = total_ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    seconds -= 1;
  }
  time_t tt = static_cast<time_t>(seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = date;
  if (nanos != 0) {
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%09" PRId64, nanos);
    std::string f = fraction;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += 'Z';
  return out;
}

SystemTime ParseRfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return SystemTime{};
  }
  if (tm.tm_year <= 1) return SystemTime{};  // Go's zero time
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t nanos = 0;
  size_t pos = static_cast<size_t>(consumed);
  if (pos < text.size() && text[pos] == '.') {
    int64_t scale = 100'000'000;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      nanos += (text[pos] - '0') * scale;
      scale /= 10;
    }
  }
  time_t seconds = timegm(&tm);
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos)));
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
    item["startsAt"] = FormatRfc3339(AlertStartsAt(alert));
    item["endsAt"] = FormatRfc3339(alert.resolved() ? alert.resolved_at : SystemTime{});
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
      {"startsAt", FormatRfc3339(AlertStartsAt(alert))},
      {"endsAt", FormatRfc3339(alert.resolved() ? alert.resolved_at : firing_ends_at)},
      {"generatorURL", alert.generator_url},
  };
}

}  // namespace opswatch::notify
