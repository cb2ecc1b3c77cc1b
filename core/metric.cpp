#include "core/metric.hpp"

#include <cstdio>
#include <unordered_map>

namespace opswatch {
namespace {

std::string FormatBound(double bound) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", bound);
  return buf;
}

}  // namespace

void FlattenFamily(const MetricFamily& family, std::vector<Series>& out) {
  for (const auto& sample : family.samples) {
    if (family.type != MetricType::kHistogram || !sample.histogram) {
      out.push_back(Series{family.name, sample.labels, sample.value});
      continue;
    }
    const auto& h = *sample.histogram;
    for (const auto& [bound, count] : h.buckets) {
      Labels labels = sample.labels;
      labels.Set("le", FormatBound(bound));
      out.push_back(Series{family.name + "_bucket", std::move(labels), double(count)});
    }
    Labels inf = sample.labels;
    inf.Set("le", "+Inf");
    out.push_back(Series{family.name + "_bucket", std::move(inf), double(h.count)});
    out.push_back(Series{family.name + "_sum", sample.labels, h.sum});
    out.push_back(Series{family.name + "_count", sample.labels, double(h.count)});
  }
}

std::vector<MetricFamily> MergeFamilies(std::vector<MetricFamily> families) {
  std::vector<MetricFamily> merged;
  std::unordered_map<std::string, size_t> index;
  for (auto& family : families) {
    auto [it, inserted] = index.emplace(family.name, merged.size());
    if (inserted) {
      merged.push_back(std::move(family));
    } else {
      auto& target = merged[it->second].samples;
      target.insert(target.end(), std::make_move_iterator(family.samples.begin()),
                    std::make_move_iterator(family.samples.end()));
    }
  }
  return merged;
}

}  // namespace opswatch
