// The families the dispatcher publishes (README, "Metrics"), declared once: Dispatcher::Families
// fills them and tests/unit/readme_metrics_test.cpp holds the README's table to kFamilies.
// Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::notify_metrics {

inline constexpr MetricFamilySpec kNotifications{"opswatch_notifications_total",
                                                 MetricType::kCounter,
                                                 "Notifications queued for delivery, by receiver."};
inline constexpr MetricFamilySpec kNotificationsFailed{
    "opswatch_notifications_failed_total", MetricType::kCounter,
    "Notifications given up on, by receiver and reason."};
inline constexpr MetricFamilySpec kRequests{"opswatch_notification_requests_total",
                                            MetricType::kCounter,
                                            "HTTP requests sent to receivers, retries included."};
inline constexpr MetricFamilySpec kRequestsFailed{
    "opswatch_notification_requests_failed_total", MetricType::kCounter,
    "HTTP requests to receivers that did not get a 2xx."};
inline constexpr MetricFamilySpec kLatency{"opswatch_notification_latency_seconds",
                                           MetricType::kHistogram,
                                           "Duration of HTTP requests to receivers."};
inline constexpr MetricFamilySpec kQueueLength{
    "opswatch_notification_queue_length", MetricType::kGauge,
    "Notifications waiting for delivery (in flight included)."};
inline constexpr MetricFamilySpec kOldestQueuedAge{
    "opswatch_notification_oldest_queued_age_seconds", MetricType::kGauge,
    "Age of the oldest notification waiting for delivery; 0 when none."};
inline constexpr MetricFamilySpec kOutboxFailures{
    "opswatch_notification_outbox_failures_total", MetricType::kCounter,
    "Outbox writes or removals that failed (disk full, unwritable state_dir)."};

inline constexpr std::array kFamilies = {
    kNotifications, kNotificationsFailed, kRequests,        kRequestsFailed,
    kLatency,       kQueueLength,         kOldestQueuedAge, kOutboxFailures};

}  // namespace opswatch::notify_metrics
