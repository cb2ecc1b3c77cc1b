#include "collectors/scrape/scrape_collector.hpp"

#include <algorithm>

#include "collectors/scrape/scrape_metrics.hpp"

namespace opswatch {

HttpProbeRequest BuildScrapeRequest(const ScrapeConfig& config, const ScrapeTarget& target,
                                    Millis timeout) {
  HttpProbeRequest request;
  request.url = target.url;
  request.headers = config.headers;
  request.headers.emplace_back("Accept", Secret(kScrapeAcceptHeader));
  request.accept_encoding = "gzip";
  request.tls = config.tls;
  request.body_limit = config.body_limit;
  request.timeout = timeout;
  return request;
}

ScrapeCollector::ScrapeCollector(ScrapeConfig config, HttpProbeLoop& loop, Clock& clock,
                                 Logger& logger)
    : config_(std::move(config)),
      clock_(clock),
      logger_(logger),
      round_(loop, clock, config_.targets.size(), "scrape"),
      last_error_(config_.targets.size()),
      last_series_(config_.targets.size()) {}

ScrapeCollector::~ScrapeCollector() = default;

CollectResult ScrapeCollector::Collect(const RunContext& ctx) {
  const size_t n = config_.targets.size();
  auto remaining = std::chrono::duration_cast<Millis>(ctx.deadline - clock_.SteadyNow());
  Millis timeout = std::max(Millis(1), std::min(config_.timeout, remaining));
  std::vector<HttpProbeResponse> responses =
      round_.Run([&](size_t i) { return BuildScrapeRequest(config_, config_.targets[i], timeout); },
                 ctx.deadline);

  MetricFamily up = NewFamily(scrape_metrics::kUp);
  MetricFamily duration = NewFamily(scrape_metrics::kScrapeDuration);
  MetricFamily samples = NewFamily(scrape_metrics::kScrapeSamplesScraped);
  MetricFamily kept = NewFamily(scrape_metrics::kScrapeSamplesPostMetricRelabeling);
  MetricFamily added = NewFamily(scrape_metrics::kScrapeSeriesAdded);
  std::vector<MetricFamily> scraped;
  for (size_t i = 0; i < n; ++i) {
    const ScrapeTarget& target = config_.targets[i];
    HttpProbeResponse& response = responses[i];
    ScrapeOutcome outcome = EvaluateScrapeResponse(config_, target, response, last_series_[i]);
    Labels labels = ScrapeTargetLabels(config_, target);
    up.Add(labels, outcome.up ? 1 : 0);
    duration.Add(labels, response.duration_seconds);
    samples.Add(labels, double(outcome.samples_scraped));
    kept.Add(labels, double(outcome.samples_kept));
    added.Add(labels, double(outcome.series_added));
    // Prometheus keeps its series cache over a failed scrape: the series that come back are not
    // new.
    if (outcome.up) last_series_[i] = std::move(outcome.fingerprints);
    for (auto& family : outcome.series) scraped.push_back(std::move(family));
    if (outcome.error != last_error_[i]) {
      if (outcome.error.empty()) {
        logger_.Info("scrape target is up", {{"target", target.log_name}});
      } else {
        logger_.Warn("scrape target is down",
                     {{"target", target.log_name}, {"reason", outcome.error}});
      }
      last_error_[i] = outcome.error;
    }
  }
  CollectResult result;
  (config_.expose ? result.foreign : result.foreign_unexposed) = MergeFamilies(std::move(scraped));
  for (auto* family : {&up, &duration, &samples, &kept, &added}) {
    result.foreign.push_back(std::move(*family));
  }
  return result;
}

}  // namespace opswatch
