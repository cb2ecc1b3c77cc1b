// One log line through the field parsers and the event counter as the log collector runs them:
// logfmt and JSON fields, a regex with named captures, a match, labels and a value histogram.
// Properties: logfmt keys are never empty nor hold a separator, a value is observed at most once
// per matching line, and the histogram's count never exceeds the event's matches.
#include <nlohmann/json.hpp>

#include "collectors/log/log_events.hpp"
#include "collectors/log/logfmt.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using opswatch::fuzz::Require;

namespace {

std::vector<opswatch::LogEventConfig> Events() {
  std::vector<opswatch::LogEventConfig> events(2);
  events[0].name = "slow";
  events[0].match = opswatch::ParseCheck("event == \"slow\" || ms > 100", nullptr).value();
  events[0].labels = {"report"};
  events[0].value = "ms";
  events[0].buckets = {10, 100, 1000};
  events[1].name = "took";
  events[1].regex = std::make_shared<const RE2>(R"(took (?P<took>[0-9.e+-]+)(?P<unit>\w*))");
  events[1].labels = {"unit"};
  events[1].value = "took";
  return events;
}

uint64_t Matches(const opswatch::LogEventCounts& counts) {
  uint64_t total = 0;
  for (const auto& [values, count] : counts.series) total += count;
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line = opswatch::fuzz::AsText(data, size);
  auto logfmt = opswatch::ParseLogfmt(line);
  if (logfmt) {
    Require(logfmt->is_object(), "logfmt gives an object");
    for (const auto& [key, value] : logfmt->items()) {
      Require(!key.empty(), "logfmt keys are not empty");
      Require(key.find_first_of("= \t\"") == std::string::npos, "logfmt keys hold no separator");
    }
  }
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);

  static const std::vector<opswatch::LogEventConfig> kEvents = Events();
  opswatch::LogEventCounter counter(kEvents, /*label_limit=*/2);
  const nlohmann::json* inputs[] = {logfmt ? &*logfmt : nullptr,
                                    json.is_discarded() ? nullptr : &json, nullptr};
  for (const nlohmann::json* fields : inputs) {
    uint64_t invalid = counter.Observe(line, fields);
    Require(invalid <= kEvents.size(), "at most one invalid value per event");
  }
  for (const auto& counts : counter.counts()) {
    Require(counts.values.count <= Matches(counts), "no more observations than matches");
    uint64_t in_buckets = 0;
    for (uint64_t n : counts.values.buckets) in_buckets += n;
    Require(in_buckets == counts.values.count, "every observation is in one bucket");
  }
  opswatch::MetricFamily events, overflow, values;
  counter.AddSamples(events, overflow, values);
  return 0;
}
