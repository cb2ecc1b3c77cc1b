#include "collectors/scrape/scrape_collector.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
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

Labels ScrapeTargetLabels(const ScrapeConfig& config, const ScrapeTarget& target) {
  Labels labels = config.labels;
  labels.Set("job", config.job);
  labels.Set("instance", target.instance);
  return labels;
}

Labels AttachTargetLabels(const Labels& scraped, const Labels& target_labels, bool honor_labels) {
  Labels out = scraped;
  if (honor_labels) {
    for (const auto& label : target_labels) {
      if (!scraped.Has(label.name)) out.Set(label.name, label.value);
    }
    return out;
  }
  std::vector<Label> conflicting;
  for (const auto& label : target_labels) {
    std::string_view exposed = scraped.Get(label.name);
    if (!exposed.empty()) conflicting.push_back(Label{label.name, std::string(exposed)});
    out.Set(label.name, label.value);
  }
  std::stable_sort(conflicting.begin(), conflicting.end(),
                   [](const Label& a, const Label& b) { return a.name.size() < b.name.size(); });
  for (size_t i = 0; i < conflicting.size(); ++i) {
    std::string name = conflicting[i].name;
    while (true) {
      name = "exported_" + name;
      bool taken = scraped.Has(name) || target_labels.Has(name) ||
                   std::any_of(conflicting.begin(), conflicting.begin() + long(i),
                               [&](const Label& l) { return l.name == name; });
      if (!taken) break;
    }
    conflicting[i].name = name;
  }
  for (const auto& label : conflicting) out.Set(label.name, label.value);
  return out;
}

ScrapeOutcome EvaluateScrapeResponse(const ScrapeConfig& config, const ScrapeTarget& target,
                                     const HttpProbeResponse& response) {
  ScrapeOutcome out;
  if (!response.completed) {
    out.error = response.error.empty() ? "no response" : response.error;
    return out;
  }
  if (response.status != 200) {
    out.error = "server returned HTTP status " + std::to_string(response.status);
    return out;
  }
  ExpositionLimits limits;
  limits.sample_limit = config.sample_limit;
  auto parsed = ParseExposition(response.body,
                                ExpositionFormatFromContentType(response.content_type), limits);
  if (!parsed) {
    out.error = "invalid exposition: " + parsed.error();
    return out;
  }
  const Labels target_labels = ScrapeTargetLabels(config, target);
  std::map<std::string, size_t, std::less<>> index;
  for (const auto& sample : parsed->samples) {
    const ExposedFamily& family = parsed->families[sample.family];
    auto [it, inserted] = index.emplace(sample.series.name, out.series.size());
    if (inserted) {
      MetricFamily mf;
      mf.name = sample.series.name;
      mf.help = family.help.value_or("");
      mf.type = family.type == ExposedType::kCounter ? MetricType::kCounter : MetricType::kGauge;
      out.series.push_back(std::move(mf));
    }
    out.series[it->second].Add(
        AttachTargetLabels(sample.series.labels, target_labels, config.honor_labels),
        sample.series.value);
  }
  out.samples_scraped = parsed->samples.size();
  out.up = true;
  return out;
}

HttpProbeRequest BuildScrapeRequest(const ScrapeConfig& config, const ScrapeTarget& target,
                                    Millis timeout) {
  HttpProbeRequest request;
  request.url = target.url;
  request.headers.emplace_back("Accept", Secret(kScrapeAcceptHeader));
  request.accept_encoding = "gzip";
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
      last_error_(config_.targets.size()) {
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
    ScrapeOutcome outcome = EvaluateScrapeResponse(config_, target, response);
    Labels labels = ScrapeTargetLabels(config_, target);
    up.Add(labels, outcome.up ? 1 : 0);
    duration.Add(labels, response.duration_seconds);
    samples.Add(labels, double(outcome.samples_scraped));
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
  result.families = MergeFamilies(std::move(scraped));
  result.families.push_back(std::move(up));
  result.families.push_back(std::move(duration));
  result.families.push_back(std::move(samples));
  return result;
}

}  // namespace opswatch
