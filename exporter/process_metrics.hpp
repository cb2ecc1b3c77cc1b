// The families the process publishes about itself (README, "Metrics"), declared once: App fills
// them and tests/unit/readme_metrics_test.cpp holds the README's table to kFamilies.
// Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::process_metrics {

inline constexpr MetricFamilySpec kBuildInfo{
    "opswatch_build_info", MetricType::kGauge,
    "A metric with a constant 1 value labelled by version and revision."};
inline constexpr MetricFamilySpec kConfigLastReloadSuccessful{
    "opswatch_config_last_reload_successful", MetricType::kGauge,
    "1 when the last configuration load or reload succeeded."};
inline constexpr MetricFamilySpec kConfigLastReloadSuccessTimestamp{
    "opswatch_config_last_reload_success_timestamp_seconds", MetricType::kGauge,
    "When the configuration was last loaded successfully."};

inline constexpr MetricFamilySpec kHttpAuthFailures{
    "opswatch_http_auth_failures_total", MetricType::kCounter,
    "HTTP requests refused for missing or wrong basic-auth credentials."};

inline constexpr std::array kFamilies = {kBuildInfo, kConfigLastReloadSuccessful,
                                         kConfigLastReloadSuccessTimestamp, kHttpAuthFailures};

}  // namespace opswatch::process_metrics
