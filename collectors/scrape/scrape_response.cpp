#include "collectors/scrape/scrape_response.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string_view>

#include "collectors/exposition_parser.hpp"

namespace opswatch {
namespace {

// The parser's own limits bound the memory a hostile target costs before we look further. They
// count the exposition as written, so they are exact only when nothing is relabelled: attaching
// target labels only adds labels, relabelling may drop samples and labels.
ExpositionLimits ParserLimits(const ScrapeConfig& config) {
  ExpositionLimits limits;
  if (config.metric_relabel_configs.empty()) {
    limits.sample_limit = config.sample_limit;
    limits.label_limit = config.label_limit;
  }
  return limits;
}

// The identity of a series (name and labels) without copying the labels to add __name__.
uint64_t SeriesFingerprint(std::string_view name, const Labels& labels) {
  return (labels.Fingerprint() * 0x9e3779b97f4a7c15ULL) ^ std::hash<std::string_view>{}(name);
}

ScrapeOutcome Failed(std::string error, size_t samples_scraped = 0) {
  ScrapeOutcome out;
  out.error = std::move(error);
  out.samples_scraped = samples_scraped;
  return out;
}

}  // namespace

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
                                     const HttpProbeResponse& response,
                                     const std::unordered_set<uint64_t>& previous) {
  if (!response.completed) return Failed(response.error.empty() ? "no response" : response.error);
  if (response.status != 200) {
    return Failed("server returned HTTP status " + std::to_string(response.status));
  }
  auto parsed = ParseExposition(
      response.body, ExpositionFormatFromContentType(response.content_type), ParserLimits(config));
  if (!parsed) return Failed("invalid exposition: " + parsed.error());
  const size_t scraped = parsed->samples.size();

  ScrapeOutcome out;
  out.samples_scraped = scraped;
  const Labels target_labels = ScrapeTargetLabels(config, target);
  const bool relabel = !config.metric_relabel_configs.empty();
  std::map<std::string, size_t, std::less<>> index;
  size_t last_family = SIZE_MAX;  // samples of one name come together: skip the map lookup
  out.fingerprints.reserve(scraped);
  for (const auto& sample : parsed->samples) {
    Labels labels = AttachTargetLabels(sample.series.labels, target_labels, config.honor_labels);
    std::string renamed;
    std::string_view name = sample.series.name;
    if (relabel) {
      labels.Set("__name__", name);
      if (!ApplyRelabelRules(config.metric_relabel_configs, labels)) continue;
      renamed = std::string(labels.Get("__name__"));
      name = renamed;
      // Prometheus fails the scrape on these rather than storing a series it cannot name.
      if (name.empty())
        return Failed("missing metric name (__name__ label) after relabelling", scraped);
      if (!IsValidMetricName(name)) {
        return Failed("invalid metric name \"" + renamed + "\" after relabelling", scraped);
      }
      labels.Remove("__name__");
      for (const auto& label : labels) {
        if (!IsValidLabelName(label.name)) {
          return Failed("invalid label name \"" + label.name + "\" after relabelling", scraped);
        }
      }
    }
    // As Prometheus counts them: with __name__.
    if (config.label_limit > 0 && labels.size() + 1 > config.label_limit) {
      return Failed("label_limit exceeded (metric: " + std::string(name.substr(0, 50)) +
                        ", number of labels: " + std::to_string(labels.size() + 1) +
                        ", limit: " + std::to_string(config.label_limit) + ")",
                    scraped);
    }
    // A repeated series keeps its first sample (Prometheus rejects the duplicate and goes on).
    if (!out.fingerprints.insert(SeriesFingerprint(name, labels)).second) continue;
    ++out.samples_kept;
    if (config.sample_limit > 0 && out.samples_kept > config.sample_limit) {
      return Failed("sample_limit exceeded (limit: " + std::to_string(config.sample_limit) + ")",
                    scraped);
    }
    if (last_family == SIZE_MAX || out.series[last_family].name != name) {
      auto it = index.find(name);
      if (it == index.end()) {
        const ExposedFamily& family = parsed->families[sample.family];
        MetricFamily mf;
        mf.name = std::string(name);
        mf.help = family.help.value_or("");
        mf.type = family.type == ExposedType::kCounter ? MetricType::kCounter : MetricType::kGauge;
        it = index.emplace(mf.name, out.series.size()).first;
        out.series.push_back(std::move(mf));
      }
      last_family = it->second;
    }
    out.series[last_family].Add(std::move(labels), sample.series.value);
  }
  for (uint64_t fingerprint : out.fingerprints) {
    if (!previous.count(fingerprint)) ++out.series_added;
  }
  out.up = true;
  return out;
}

}  // namespace opswatch
