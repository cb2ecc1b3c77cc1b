// Plain metric structs: what a collector returns and what a snapshot holds (prometheus-cpp's
// ClientMetric, reduced to what we publish). No registry, no locking: values, not instruments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/labels.hpp"

namespace opswatch {

enum class MetricType { kGauge, kCounter, kHistogram };

struct HistogramValue {
  // (upper bound, cumulative count) in increasing bound order, without +Inf (that is `count`).
  std::vector<std::pair<double, uint64_t>> buckets;
  uint64_t count = 0;
  double sum = 0;
};

struct Sample {
  Labels labels;
  double value = 0;                         // gauge and counter
  std::optional<HistogramValue> histogram;  // histogram families only
};

struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Sample> samples;

  MetricFamily& Add(Labels labels, double value) {
    samples.push_back(Sample{std::move(labels), value, std::nullopt});
    return *this;
  }
};

inline MetricFamily Gauge(std::string name, std::string help) {
  return MetricFamily{std::move(name), std::move(help), MetricType::kGauge, {}};
}
inline MetricFamily Counter(std::string name, std::string help) {
  return MetricFamily{std::move(name), std::move(help), MetricType::kCounter, {}};
}

// A family as its publisher declares it, once, in a table next to the code that fills it (README,
// "Metrics"): Collect, the built-in rules and the README check all read the same entry, so a name
// or help text is never spelled twice.
struct MetricFamilySpec {
  std::string_view name;
  MetricType type = MetricType::kGauge;
  std::string_view help;
};

// An empty family with the spec's name, type and help, ready for samples.
inline MetricFamily NewFamily(const MetricFamilySpec& spec) {
  return MetricFamily{std::string(spec.name), std::string(spec.help), spec.type, {}};
}

// One flat series as the rule engine sees it: histograms expand into _bucket/_sum/_count.
struct Series {
  std::string name;
  Labels labels;  // without __name__
  double value = 0;
};

// Appends the flat series of `family` to `out`.
void FlattenFamily(const MetricFamily& family, std::vector<Series>& out);

// Merges families with the same name (samples concatenated; the first HELP and type win), keeping
// first-seen order. Used when several collectors of one type publish the same metric.
std::vector<MetricFamily> MergeFamilies(std::vector<MetricFamily> families);

}  // namespace opswatch
