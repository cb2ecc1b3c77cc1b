// The Prometheus exposition parser shared by the scrape collector and the command collector's
// `output: prometheus`: the text format 0.0.4 and OpenMetrics 1.0 text, accepted and rejected as
// Prometheus 2.42's scrape parsers do, turned into plain series the rule engine can ingest plus
// the metadata needed to re-expose them.
//
// Input is untrusted: a malformed exposition fails whole (no partial result) with an error
// "line:column: what was expected, got what"; columns count bytes from 1. Work is linear in the
// input (a line with a million labels sorts them once) and nothing recurses.
//
// Where we differ from Prometheus on purpose (each time Prometheus would ingest something
// surprising without saying so):
//  - a NUL byte outside a label value, HELP text or comment is an error (Prometheus's lexer takes
//    some of them for the end of the input and silently drops the rest of the exposition);
//  - an OpenMetrics timestamp whose milliseconds do not fit in int64 is an error (Go converts it
//    to an arbitrary number);
//  - labels with an empty value are dropped (Prometheus's storage does the same before it checks
//    label names for duplicates, so `a{b="",b="x"}` is one label here as there).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/metric.hpp"
#include "core/status.hpp"

namespace opswatch {

enum class ExpositionFormat {
  kPrometheusText,  // text/plain; version=0.0.4 (and anything that is not OpenMetrics)
  kOpenMetrics,     // application/openmetrics-text; version=1.0.0
};

// The format a response's Content-Type names, decided as Prometheus does: OpenMetrics for the
// media type application/openmetrics-text (any parameters), the 0.0.4 text format otherwise.
ExpositionFormat ExpositionFormatFromContentType(std::string_view content_type);

// A family's TYPE. OpenMetrics's `unknown` is the text format's `untyped`.
enum class ExposedType {
  kUntyped,
  kCounter,
  kGauge,
  kHistogram,
  kSummary,
  kInfo,            // OpenMetrics only
  kStateset,        // OpenMetrics only
  kGaugeHistogram,  // OpenMetrics only
};

// The TYPE word: "untyped" for kUntyped, the OpenMetrics word for the OpenMetrics-only types.
std::string_view ExposedTypeName(ExposedType type);

// One metric family as the exposition declared it (HELP/TYPE/UNIT lines), or as a sample without
// metadata implies it (its own name, untyped, no help).
struct ExposedFamily {
  std::string name;
  ExposedType type = ExposedType::kUntyped;
  std::optional<std::string> help;  // escapes undone; absent when there was no HELP line
  std::string unit;                 // OpenMetrics UNIT; empty when none
};

// One sample line. `series.name` is the full name as exposed (with _bucket, _sum, _count, _total,
// _created and the like); `series.labels` are its labels without __name__.
struct ExposedSample {
  Series series;
  std::optional<int64_t> timestamp_ms;  // explicit timestamp, milliseconds since the epoch
  uint32_t family = 0;                  // index into ParsedExposition::families
};

struct ParsedExposition {
  std::vector<ExposedFamily> families;  // unique names, in order of first appearance
  std::vector<ExposedSample> samples;   // in exposition order; OpenMetrics exemplars dropped
};

// Limits on what one exposition may hold; 0 means no limit. Exceeding one fails the whole
// exposition, as a Prometheus scrape fails. Prometheus applies them after metric relabelling and
// after attaching target labels; here they apply to the exposition as written (labels counted with
// __name__, whose value is the metric name), so a caller that relabels or adds labels and wants
// Prometheus's exact numbers checks again afterwards. Checking here bounds the memory a hostile
// target can make us spend before that.
struct ExpositionLimits {
  size_t sample_limit = 0;              // sample lines
  size_t label_limit = 0;               // labels per sample, __name__ included
  size_t label_name_length_limit = 0;   // bytes
  size_t label_value_length_limit = 0;  // bytes, after escapes are undone
};

Result<ParsedExposition> ParseExposition(std::string_view body, ExpositionFormat format,
                                         const ExpositionLimits& limits = {});

}  // namespace opswatch
