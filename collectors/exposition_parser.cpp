#include "collectors/exposition_parser.hpp"

#include <algorithm>

#include "collectors/exposition_builder.hpp"
#include "collectors/exposition_grammars.hpp"

namespace opswatch {

ExpositionFormat ExpositionFormatFromContentType(std::string_view content_type) {
  std::string_view media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && (media_type.front() == ' ' || media_type.front() == '\t')) {
    media_type.remove_prefix(1);
  }
  while (!media_type.empty() && (media_type.back() == ' ' || media_type.back() == '\t')) {
    media_type.remove_suffix(1);
  }
  constexpr std::string_view kOpenMetrics = "application/openmetrics-text";
  if (media_type.size() != kOpenMetrics.size()) return ExpositionFormat::kPrometheusText;
  for (size_t i = 0; i < media_type.size(); ++i) {
    const char lower =
        (media_type[i] >= 'A' && media_type[i] <= 'Z') ? char(media_type[i] | 0x20) : media_type[i];
    if (lower != kOpenMetrics[i]) return ExpositionFormat::kPrometheusText;
  }
  return ExpositionFormat::kOpenMetrics;
}

std::string_view ExposedTypeName(ExposedType type) {
  switch (type) {
    case ExposedType::kCounter:
      return "counter";
    case ExposedType::kGauge:
      return "gauge";
    case ExposedType::kHistogram:
      return "histogram";
    case ExposedType::kSummary:
      return "summary";
    case ExposedType::kInfo:
      return "info";
    case ExposedType::kStateset:
      return "stateset";
    case ExposedType::kGaugeHistogram:
      return "gaugehistogram";
    case ExposedType::kUntyped:
      break;
  }
  return "untyped";
}

Result<ParsedExposition> ParseExposition(std::string_view body, ExpositionFormat format,
                                         const ExpositionLimits& limits) {
  exposition::ExpositionBuilder builder(limits);
  // Every sample takes a line, and at least 4 bytes with its newline. The cap keeps a body of
  // blank lines or comments from reserving much more than it can hold.
  size_t expected = std::min({size_t(std::count(body.begin(), body.end(), '\n')) + 1,
                              body.size() / 4 + 1, size_t(1) << 20});
  if (limits.sample_limit != 0) expected = std::min(expected, limits.sample_limit);
  builder.ReserveSamples(expected);
  const Status status = format == ExpositionFormat::kOpenMetrics
                            ? exposition::ParseOpenMetricsText(body, builder)
                            : exposition::ParsePrometheusText(body, builder);
  if (!status.ok()) return status;
  return std::move(builder).Finish();
}

}  // namespace opswatch
