// The exposition parser, both formats, on every input: it must never crash, and what it accepts
// must be well-formed (families in range, labels sorted, unique, non-empty and valid UTF-8,
// limits held) and survive a round trip: printed back as text format 0.0.4, it parses to the
// same series.
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "collectors/exposition_parser.hpp"
#include "core/labels.hpp"
#include "core/utf8.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using opswatch::ExposedSample;
using opswatch::ParsedExposition;
using opswatch::fuzz::Require;

void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);  // shortest round trip
  }
}

// The samples as text format 0.0.4; a negative timestamp (OpenMetrics only) is left out.
std::string Print(const ParsedExposition& parsed) {
  std::string out;
  for (const ExposedSample& sample : parsed.samples) {
    out += sample.series.name;
    out += '{';
    for (const auto& label : sample.series.labels) {
      out += label.name + "=\"" + opswatch::EscapeLabelValue(label.value) + "\",";
    }
    out += "} ";
    AppendValue(out, sample.series.value);
    if (sample.timestamp_ms && *sample.timestamp_ms >= 0) {
      out += ' ' + std::to_string(*sample.timestamp_ms);
    }
    out += '\n';
  }
  return out;
}

bool SameValue(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

void CheckWellFormed(const ParsedExposition& parsed, const opswatch::ExpositionLimits& limits) {
  Require(limits.sample_limit == 0 || parsed.samples.size() <= limits.sample_limit,
          "more samples than sample_limit");
  for (const ExposedSample& sample : parsed.samples) {
    Require(sample.family < parsed.families.size(), "a sample's family out of range");
    Require(!sample.series.name.empty(), "an empty metric name");
    Require(limits.label_limit == 0 || sample.series.labels.size() + 1 <= limits.label_limit,
            "more labels than label_limit");
    const opswatch::Label* previous = nullptr;
    for (const auto& label : sample.series.labels) {
      Require(!label.value.empty(), "an empty label value kept");
      Require(label.name != "__name__", "__name__ among the labels");
      Require(opswatch::IsValidUtf8(label.value), "a label value that is not UTF-8");
      Require(previous == nullptr || previous->name < label.name, "labels unsorted or repeated");
      previous = &label;
    }
  }
  for (const auto& family : parsed.families) {
    Require(!family.help || opswatch::IsValidUtf8(*family.help), "help text that is not UTF-8");
  }
}

void CheckRoundTrip(const ParsedExposition& parsed) {
  const std::string printed = Print(parsed);
  auto again = opswatch::ParseExposition(printed, opswatch::ExpositionFormat::kPrometheusText);
  Require(again.ok(), "printed samples do not parse");
  Require(again->samples.size() == parsed.samples.size(), "round trip changed the sample count");
  for (size_t i = 0; i < parsed.samples.size(); ++i) {
    const ExposedSample& a = parsed.samples[i];
    const ExposedSample& b = again->samples[i];
    Require(a.series.name == b.series.name, "round trip changed a name");
    Require(a.series.labels == b.series.labels, "round trip changed labels");
    Require(SameValue(a.series.value, b.series.value), "round trip changed a value");
    if (a.timestamp_ms && *a.timestamp_ms >= 0) {
      Require(b.timestamp_ms == a.timestamp_ms, "round trip changed a timestamp");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = opswatch::fuzz::AsText(data, size);
  for (auto format :
       {opswatch::ExpositionFormat::kPrometheusText, opswatch::ExpositionFormat::kOpenMetrics}) {
    auto parsed = opswatch::ParseExposition(text, format);
    if (parsed.ok()) {
      CheckWellFormed(*parsed, {});
      CheckRoundTrip(*parsed);
    } else {
      Require(parsed.error().size() < 1024, "an error message that echoes too much input");
      Require(opswatch::IsValidUtf8(parsed.error()), "an error message that is not UTF-8");
    }
    // Small limits take the limit paths; they may only turn an accepted input into an error.
    const opswatch::ExpositionLimits limits{.sample_limit = 3,
                                            .label_limit = 3,
                                            .label_name_length_limit = 16,
                                            .label_value_length_limit = 16};
    auto limited = opswatch::ParseExposition(text, format, limits);
    if (limited.ok()) {
      Require(parsed.ok(), "limits made a rejected input acceptable");
      CheckWellFormed(*limited, limits);
    }
  }
  return 0;
}
