// Every metric family the http collector publishes, declared once (README, "type: http"): Collect
// fills them, the built-in rules select them, and tests/unit/readme_metrics_test.cpp holds the
// README's table to kFamilies.
// Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::http_metrics {

inline constexpr MetricFamilySpec kUp{
    "opswatch_http_up", MetricType::kGauge,
    "1 when the probe completed, the status was expected and every check passed."};
inline constexpr MetricFamilySpec kStatusCode{
    "opswatch_http_status_code", MetricType::kGauge,
    "HTTP status code of the last response; 0 when none arrived."};
inline constexpr MetricFamilySpec kDuration{
    "opswatch_http_duration_seconds", MetricType::kGauge,
    "Duration of the last probe in seconds, redirects included."};
inline constexpr MetricFamilySpec kCheckOk{"opswatch_http_check_ok", MetricType::kGauge,
                                           "1 when the check passed on the last response."};
inline constexpr MetricFamilySpec kJsonValue{
    "opswatch_http_json_value", MetricType::kGauge,
    "Value of an exported JSON field of the last response (booleans as 1 and 0)."};
inline constexpr MetricFamilySpec kTlsCertExpiry{
    "opswatch_http_tls_cert_expiry_timestamp_seconds", MetricType::kGauge,
    "Expiry (notAfter) of the target's TLS leaf certificate, in unix seconds."};
inline constexpr MetricFamilySpec kBodyBytes{"opswatch_http_body_bytes", MetricType::kGauge,
                                             "Body bytes received in the last response."};

inline constexpr std::array kFamilies = {kUp,        kStatusCode,    kDuration, kCheckOk,
                                         kJsonValue, kTlsCertExpiry, kBodyBytes};

}  // namespace opswatch::http_metrics
