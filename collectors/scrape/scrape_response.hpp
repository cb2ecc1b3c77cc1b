// What one scrape response means, as Prometheus's scrape loop decides it: the target labels
// attached (honor_labels settles conflicts), metric_relabel_configs applied, the limits checked on
// what is left, and the report values (up, scrape_samples_*, scrape_series_added). Pure, so it is
// unit-tested without a network.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "collectors/http_probe_loop.hpp"
#include "collectors/scrape/scrape_config.hpp"
#include "core/metric.hpp"

namespace opswatch {

// job, instance and the static labels of `target`.
Labels ScrapeTargetLabels(const ScrapeConfig& config, const ScrapeTarget& target);

// Prometheus's mutateSampleLabels without relabelling. honor_labels true: a label the target
// exposes wins and a target label is only added when the series lacks it. false: the target label
// wins and the exposed value moves to exported_<name> (exported_exported_<name> when that is taken
// too, shorter names first).
Labels AttachTargetLabels(const Labels& scraped, const Labels& target_labels, bool honor_labels);

struct ScrapeOutcome {
  bool up = false;
  std::string error;           // why up == 0; empty when up
  size_t samples_scraped = 0;  // sample lines of a parsed exposition (0 when it did not parse)
  size_t samples_kept = 0;     // after metric_relabel_configs (0 when the scrape failed)
  size_t series_added = 0;     // series not in the previous successful scrape
  std::vector<MetricFamily>
      series;  // one family per sample name, exposition order; empty on failure
  std::unordered_set<uint64_t> fingerprints;  // of `series`, the next scrape's `previous`
};

// `previous`: the fingerprints of the last successful scrape of this target.
ScrapeOutcome EvaluateScrapeResponse(const ScrapeConfig& config, const ScrapeTarget& target,
                                     const HttpProbeResponse& response,
                                     const std::unordered_set<uint64_t>& previous = {});

}  // namespace opswatch
