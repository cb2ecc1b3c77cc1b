// Prometheus's humanize functions (humanize, humanize1024, humanizeDuration, humanizePercentage),
// rendered as Go's text/template does: the template engine calls them for alert annotations, and
// built-in rules use them to write their thresholds into descriptions in the same words.
// Thread-safety: pure functions.
#pragma once

#include <string>

namespace opswatch {

// 1234567 -> "1.235M", 0.00123 -> "1.23m" (SI prefixes, 4 significant digits).
std::string Humanize(double v);
// 1536 * 1024 * 1024 -> "1.5Gi" (binary prefixes).
std::string Humanize1024(double v);
// 93784 -> "1d 2h 3m 4s", 0.25 -> "250ms".
std::string HumanizeDuration(double v);
// 0.0523 -> "5.23%".
std::string HumanizePercentage(double v);

}  // namespace opswatch
