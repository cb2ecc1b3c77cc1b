// The command collector's Nagios output parser (status text and performance data): plugin output
// is untrusted text. Properties: no crash, labels bounded and valid UTF-8, every value finite,
// the number of data bounded, and each datum accounted for (parsed or skipped).
#include <cmath>

#include "collectors/command/command_perfdata.hpp"
#include "core/utf8.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using opswatch::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = opswatch::fuzz::AsText(data, size);
  opswatch::NagiosOutput out = opswatch::ParseNagiosOutput(input);
  Require(opswatch::IsValidUtf8(out.status_text), "status text is valid UTF-8");
  Require(out.status_text.find('\n') == std::string::npos, "status text is one line");
  Require(out.perfdata.size() <= opswatch::kMaxPerfdata, "at most kMaxPerfdata data");
  for (const opswatch::Perfdatum& datum : out.perfdata) {
    Require(!datum.label.empty(), "labels are not empty");
    Require(opswatch::IsValidUtf8(datum.label), "labels are valid UTF-8");
    // SanitizeUtf8 may widen a cut label by replacement characters: bounded all the same.
    Require(datum.label.size() <= 3 * opswatch::kMaxPerfdataLabelBytes, "labels are bounded");
    Require(std::isfinite(datum.value), "values are finite");
    for (auto bound : {datum.warning, datum.critical, datum.min, datum.max}) {
      Require(!bound || std::isfinite(*bound), "thresholds are finite");
    }
  }
  return 0;
}
