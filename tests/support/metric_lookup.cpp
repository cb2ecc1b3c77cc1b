#include "tests/support/metric_lookup.hpp"

namespace opswatch::testing {

const MetricFamily* FindFamily(const std::vector<MetricFamily>& families, std::string_view name) {
  for (const auto& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

const Sample* FindSample(const std::vector<MetricFamily>& families, std::string_view name,
                         const Labels& subset) {
  for (const auto& family : families) {
    if (family.name != name) continue;
    for (const auto& sample : family.samples) {
      bool matches = true;
      for (const auto& [label, value] : subset) {
        if (sample.labels.Get(label) != value) matches = false;
      }
      if (matches) return &sample;
    }
  }
  return nullptr;
}

std::optional<double> SeriesValue(const std::vector<MetricFamily>& families, std::string_view name,
                                  const Labels& labels) {
  for (const auto& family : families) {
    if (family.name != name) continue;
    for (const auto& sample : family.samples) {
      if (sample.labels == labels) return sample.value;
    }
  }
  return std::nullopt;
}

}  // namespace opswatch::testing
