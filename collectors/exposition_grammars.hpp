// The two exposition grammars, each a single pass over the input that reports what it reads to an
// ExpositionBuilder and stops at the first error (with its line and column).
// Thread-safety: pure functions over their arguments.
#pragma once

#include <string_view>

#include "collectors/exposition_builder.hpp"
#include "core/status.hpp"

namespace opswatch::exposition {

// The text format 0.0.4 as Prometheus's PromParser reads it: blanks between tokens, '#' comments,
// HELP and TYPE lines, optional integer millisecond timestamps, a last line without newline.
Status ParsePrometheusText(std::string_view in, ExpositionBuilder& builder);

// OpenMetrics 1.0 text as Prometheus's OpenMetricsParser reads it: single spaces, no comments but
// HELP, TYPE, UNIT and the final "# EOF", float second timestamps, exemplars (read, then dropped).
Status ParseOpenMetricsText(std::string_view in, ExpositionBuilder& builder);

}  // namespace opswatch::exposition
