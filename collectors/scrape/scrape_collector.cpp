#include "collectors/scrape/scrape_collector.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "collectors/scrape/scrape_metrics.hpp"

namespace opswatch {

struct ScrapeCollector::Shared {
  struct Slot {
    bool in_flight = false;                   // GUARDED_BY(mu)
    std::optional<HttpProbeResponse> result;  // GUARDED_BY(mu)
  };
  std::mutex mu;
  std::condition_variable done;
  std::vector<Slot> slots;  // one per target
};

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
      loop_(loop),
      clock_(clock),
      logger_(logger),
      shared_(std::make_shared<Shared>()),
      last_error_(config_.targets.size()),
      last_series_(config_.targets.size()) {
  shared_->slots.resize(config_.targets.size());
}

ScrapeCollector::~ScrapeCollector() = default;

CollectResult ScrapeCollector::Collect(const RunContext& ctx) {
  const size_t n = config_.targets.size();
  auto remaining = std::chrono::duration_cast<Millis>(ctx.deadline - clock_.SteadyNow());
  Millis timeout = std::max(Millis(1), std::min(config_.timeout, remaining));
  std::vector<bool> skipped(n, false);
  {
    std::lock_guard lock(shared_->mu);
    for (size_t i = 0; i < n; ++i) {
      auto& slot = shared_->slots[i];
      if (slot.in_flight) {
        skipped[i] = true;  // an earlier scrape outlived its run: do not pile up transfers
        continue;
      }
      slot.in_flight = true;
      slot.result.reset();
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (skipped[i]) continue;
    loop_.Submit(BuildScrapeRequest(config_, config_.targets[i], timeout),
                 [shared = shared_, i](HttpProbeResponse response) {
                   std::lock_guard lock(shared->mu);
                   shared->slots[i].result = std::move(response);
                   shared->slots[i].in_flight = false;
                   shared->done.notify_all();
                 });
  }

  std::vector<std::optional<HttpProbeResponse>> responses(n);
  {
    std::unique_lock lock(shared_->mu);
    auto wait = ctx.deadline - clock_.SteadyNow();
    shared_->done.wait_for(lock, wait, [&] {
      for (size_t i = 0; i < n; ++i) {
        if (!skipped[i] && shared_->slots[i].in_flight) return false;
      }
      return true;
    });
    for (size_t i = 0; i < n; ++i) {
      if (!skipped[i] && !shared_->slots[i].in_flight)
        responses[i] = std::move(shared_->slots[i].result);
    }
  }

  MetricFamily up = NewFamily(scrape_metrics::kUp);
  MetricFamily duration = NewFamily(scrape_metrics::kScrapeDuration);
  MetricFamily samples = NewFamily(scrape_metrics::kScrapeSamplesScraped);
  MetricFamily kept = NewFamily(scrape_metrics::kScrapeSamplesPostMetricRelabeling);
  MetricFamily added = NewFamily(scrape_metrics::kScrapeSeriesAdded);
  std::vector<MetricFamily> scraped;
  for (size_t i = 0; i < n; ++i) {
    const ScrapeTarget& target = config_.targets[i];
    HttpProbeResponse response;
    if (skipped[i]) {
      response.error = "previous scrape still running";
    } else if (!responses[i]) {
      response.error = "no response before the collector's deadline";
    } else {
      response = std::move(*responses[i]);
    }
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
