// scrape: fetches the Prometheus exposition of one or more targets through the shared
// HttpProbeLoop, parses it with ParseExposition and returns the target's own series with `job`,
// `instance` and the static labels attached as Prometheus attaches them, plus Prometheus's report
// series per target (up, scrape_duration_seconds, scrape_samples_scraped,
// scrape_samples_post_metric_relabeling, scrape_series_added). Both go out as foreign series
// (no collector label, ARCHITECTURE §7): the report series always on /metrics, the scraped ones
// only with expose: true and in the rule history either way.
//
// A scrape fails whole: a transport error, a status other than 200, a body over body_limit, more
// samples than sample_limit or a malformed exposition give up 0 and no series of that target. A
// target that is down is an observation, not a collector failure (as for the http collector); its
// error is logged when it changes, naming the target without credentials or query.
// Thread-safety: Collect() is not called concurrently for one instance (scheduler guarantee); the
// probe round (collectors/http_probe_round) locks what it shares with the loop thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "collectors/collector.hpp"
#include "collectors/exposition_parser.hpp"
#include "collectors/http_probe_loop.hpp"
#include "collectors/http_probe_round.hpp"
#include "collectors/scrape/scrape_config.hpp"
#include "collectors/scrape/scrape_response.hpp"

namespace opswatch {

// The Accept header Prometheus 2.42 sends: OpenMetrics preferred, the 0.0.4 text format next.
inline constexpr char kScrapeAcceptHeader[] =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

HttpProbeRequest BuildScrapeRequest(const ScrapeConfig& config, const ScrapeTarget& target,
                                    Millis timeout);

class ScrapeCollector final : public Collector {
 public:
  ScrapeCollector(ScrapeConfig config, HttpProbeLoop& loop, Clock& clock, Logger& logger);
  ~ScrapeCollector() override;
  CollectResult Collect(const RunContext& ctx) override;

 private:
  ScrapeConfig config_;
  Clock& clock_;
  Logger& logger_;
  HttpProbeRound round_;
  std::vector<std::string> last_error_;  // for logging changes only
  // Per target: the series of its last successful scrape, for scrape_series_added.
  std::vector<std::unordered_set<uint64_t>> last_series_;
};

}  // namespace opswatch
