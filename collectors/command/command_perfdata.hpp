// Nagios plugin output (the Monitoring Plugins development guidelines): the first line is the
// status text, optionally followed by `|` and performance data; later lines are long text, and
// after the first `|` in them everything is performance data too.
//
//   DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968 'my disk'=12%;80;90
//
// Each datum is `'label'=value[UOM];[warn];[crit];[min];[max]`: labels with spaces are quoted, a
// quote inside is doubled. Values are scaled to base units: s, ms, us to seconds; B, KB, MB, GB,
// TB to bytes (powers of 1024, as the plugins compute them); % to a ratio (0..1); c (a counter)
// and no unit as written; any other unit as written. warn and crit are ranges (`10`, `10:`,
// `~:10`, `10:20`, `@10:20`): the end of the range is published, or its start when it is open.
// A value of `U` (undetermined) and any malformed datum are skipped and counted.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opswatch {

struct Perfdatum {
  std::string label;  // quotes removed, valid UTF-8, at most kMaxPerfdataLabelBytes
  double value = 0;
  std::optional<double> warning;
  std::optional<double> critical;
  std::optional<double> min;
  std::optional<double> max;
  bool operator==(const Perfdatum&) const = default;
};

struct NagiosOutput {
  std::string status_text;  // the first line before `|`, trimmed
  std::vector<Perfdatum> perfdata;
  size_t skipped = 0;  // data that were malformed, undetermined (U) or past the limit
};

// Labels become a label value; cut to this many bytes. Data past kMaxPerfdata are skipped.
inline constexpr size_t kMaxPerfdataLabelBytes = 128;
inline constexpr size_t kMaxPerfdata = 256;

NagiosOutput ParseNagiosOutput(std::string_view text);

// The performance data part alone (what follows the `|`s), appended to `out`.
void ParsePerfdata(std::string_view text, NagiosOutput& out);

}  // namespace opswatch
