// Finding a sample in what a collector, the scheduler or the notifier returned: the one lookup the
// tests share (it was written out in nine of them).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/labels.hpp"
#include "core/metric.hpp"

namespace opswatch::testing {

// The first family named `name`, or null.
const MetricFamily* FindFamily(const std::vector<MetricFamily>& families, std::string_view name);

// The first sample of family `name` whose labels include every label in `subset` (all of its
// samples match an empty subset), or null.
const Sample* FindSample(const std::vector<MetricFamily>& families, std::string_view name,
                         const Labels& subset = {});

// The value of the series of family `name` with exactly `labels`, or nullopt.
std::optional<double> SeriesValue(const std::vector<MetricFamily>& families, std::string_view name,
                                  const Labels& labels = {});

}  // namespace opswatch::testing
