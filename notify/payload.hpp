// Request bodies exactly as Alertmanager and Prometheus produce them: the v4 webhook message
// (Alertmanager notify/webhook) and the postable alerts of POST /api/v2/alerts (Prometheus
// notifier). Pure functions of their inputs.
// Thread-safety: stateless.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/alert.hpp"
#include "core/clock.hpp"
#include "core/labels.hpp"

namespace opswatch::notify {

// Alertmanager's alert fingerprint (prometheus/common model.LabelSet.Fingerprint) as 16 hex digits.
std::string FingerprintHex(const Labels& labels);

// When Prometheus says an alert started: when it began firing (its active time as fallback).
SystemTime AlertStartsAt(const Alert& alert);

struct WebhookMessage {
  std::string receiver;
  std::string group_key;
  Labels group_labels;
  std::vector<Alert> alerts;  // in the order they are sent, already truncated
  size_t truncated_alerts = 0;
};

// {"version":"4","groupKey":...,"truncatedAlerts":...,"status":...,"receiver":...,
//  "groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":...,"alerts":[...]}
// Keys in the order Alertmanager's Go structs marshal them.
nlohmann::ordered_json WebhookBody(const WebhookMessage& message, const std::string& external_url);

// One element of POST /api/v2/alerts. Firing alerts end at `firing_ends_at` (Prometheus's
// ValidUntil); resolved ones at their resolved time.
nlohmann::json PostableAlert(const Alert& alert, SystemTime firing_ends_at);

}  // namespace opswatch::notify
