// scrape: fetches the Prometheus exposition of one or more targets through the shared
// HttpProbeLoop, parses it with ParseExposition and returns the target's own series with `job`,
// `instance` and the static labels attached as Prometheus attaches them, plus Prometheus's report
// series per target (up, scrape_duration_seconds, scrape_samples_scraped).
//
// A scrape fails whole: a transport error, a status other than 200, a body over body_limit, more
// samples than sample_limit or a malformed exposition give up 0 and no series of that target. A
// target that is down is an observation, not a collector failure (as for the http collector); its
// error is logged when it changes, naming the target without credentials or query.
// Thread-safety: Collect() is not called concurrently for one instance (scheduler guarantee); the
// per-target slots are shared with the loop thread's callbacks and locked.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.hpp"
#include "collectors/exposition_parser.hpp"
#include "collectors/http_probe_loop.hpp"
#include "collectors/scrape/scrape_config.hpp"

namespace opswatch {

// The Accept header Prometheus 2.42 sends: OpenMetrics preferred, the 0.0.4 text format next.
inline constexpr char kScrapeAcceptHeader[] =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

// job, instance and the static labels of `target`.
Labels ScrapeTargetLabels(const ScrapeConfig& config, const ScrapeTarget& target);

// Prometheus's mutateSampleLabels without relabelling. honor_labels true: a label the target
// exposes wins and a target label is only added when the series lacks it. false: the target label
// wins and the exposed value moves to exported_<name> (exported_exported_<name> when that is taken
// too, shorter names first).
Labels AttachTargetLabels(const Labels& scraped, const Labels& target_labels, bool honor_labels);

// What one response means: pure, so it is unit-tested without a network.
struct ScrapeOutcome {
  bool up = false;
  std::string error;                 // why up == 0; empty when up
  size_t samples_scraped = 0;        // 0 when the scrape failed
  std::vector<MetricFamily> series;  // one family per exposed sample name, exposition order
};
ScrapeOutcome EvaluateScrapeResponse(const ScrapeConfig& config, const ScrapeTarget& target,
                                     const HttpProbeResponse& response);

HttpProbeRequest BuildScrapeRequest(const ScrapeConfig& config, const ScrapeTarget& target,
                                    Millis timeout);

class ScrapeCollector final : public Collector {
 public:
  ScrapeCollector(ScrapeConfig config, HttpProbeLoop& loop, Clock& clock, Logger& logger);
  ~ScrapeCollector() override;
  CollectResult Collect(const RunContext& ctx) override;

 private:
  struct Shared;  // shared with the loop's callbacks, which may outlive this collector
  ScrapeConfig config_;
  HttpProbeLoop& loop_;
  Clock& clock_;
  Logger& logger_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::string> last_error_;  // for logging changes only
};

}  // namespace opswatch
