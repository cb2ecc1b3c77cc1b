// Every metric family the scrape collector publishes about its targets, declared once (README,
// "type: scrape"). The names are Prometheus's own report series, so rules written for a
// Prometheus server (`up{job="..."} == 0`) work unchanged; each sample carries `job` and
// `instance` and the static labels of its target, and no `collector` label (ARCHITECTURE §7).
// The scraped series themselves are not declared: their names are whatever the target exposes.
// Thread-safety: constants.
#pragma once

#include <array>

#include "core/metric.hpp"

namespace opswatch::scrape_metrics {

inline constexpr MetricFamilySpec kUp{
    "up", MetricType::kGauge,
    "1 when the last scrape of the target succeeded and its exposition parsed, 0 otherwise."};
inline constexpr MetricFamilySpec kScrapeDuration{
    "scrape_duration_seconds", MetricType::kGauge,
    "Duration of the last scrape of the target in seconds."};
inline constexpr MetricFamilySpec kScrapeSamplesScraped{
    "scrape_samples_scraped", MetricType::kGauge,
    "Samples the target exposed in the last scrape; 0 when the scrape failed."};

inline constexpr MetricFamilySpec kScrapeSamplesPostMetricRelabeling{
    "scrape_samples_post_metric_relabeling", MetricType::kGauge,
    "Samples left after metric_relabel_configs in the last scrape; 0 when the scrape failed."};
inline constexpr MetricFamilySpec kScrapeSeriesAdded{
    "scrape_series_added", MetricType::kGauge,
    "Series in the last scrape that the previous successful scrape of the target did not have."};

inline constexpr std::array kFamilies = {kUp, kScrapeDuration, kScrapeSamplesScraped,
                                         kScrapeSamplesPostMetricRelabeling, kScrapeSeriesAdded};

}  // namespace opswatch::scrape_metrics
