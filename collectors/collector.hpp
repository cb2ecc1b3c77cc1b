// The collector seam (node_exporter's Collector.Update, prometheus-cpp's Collectable): one method
// that returns plain structs. The scheduler owns deadlines, overlap and self metrics; a collector
// only collects. The scheduler adds the collector="<name>" label to every sample of `families`, so
// collectors never set it themselves (`foreign` series are the exception that keeps its labels).
// Thread-safety: Collect() is never called concurrently for one instance, but may be called from
// different threads over time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/alert_rule_text.hpp"
#include "core/clock.hpp"
#include "core/config_reader.hpp"
#include "core/logger.hpp"
#include "core/metric.hpp"
#include "core/status.hpp"
#include "core/thresholds.hpp"
#include "core/units.hpp"

namespace opswatch {

class CollectorServices;

struct RunContext {
  // The run should return by then. Past it the scheduler publishes a timeout and discards what
  // the run returns later, so a collector bounds its own blocking calls by this where it can.
  SteadyTime deadline;
};

struct CollectResult {
  std::vector<MetricFamily> families;  // published even when status is an error (partial data)
  // Series that keep exactly the labels they were given, without collector=: a scrape target's
  // series and its up/scrape_* report series, so rules written for Prometheus select and alert
  // on them unchanged (docs/ARCHITECTURE.md §7). `foreign` goes to /metrics and the rule
  // history, `foreign_unexposed` to the rule history only.
  std::vector<MetricFamily> foreign;
  std::vector<MetricFamily> foreign_unexposed;
  Status status;  // not ok -> opswatch_collector_up 0 and /health lastError
};

class Collector {
 public:
  virtual ~Collector() = default;
  // Never throws; reports failure in the result.
  virtual CollectResult Collect(const RunContext& ctx) = 0;
};

// What every collector entry has in common; read by the config loader before the type's parser.
struct CollectorIdentity {
  std::string name;
  std::string type;
  Millis interval{0};
  Millis timeout{0};
  // global.state_dir, absolute: where a collector keeps what must survive a restart (log read
  // positions). Created by the App before collectors run; may be unwritable (the collector then
  // reports it and keeps its state in memory).
  std::string state_dir = {};
};

// A validated collector config, ready to instantiate. Creating does no I/O beyond what the
// collector needs to start (connections are made lazily in Collect).
struct ParsedCollector {
  Thresholds thresholds;
  std::function<std::unique_ptr<Collector>(CollectorServices&)> create;
  // Built-in rules that need more of the config than the thresholds (scrape's TargetDown selects
  // the collector's job); compiled after the ones the type's generator writes.
  std::vector<AlertRuleText> config_rules = {};
  // A value of a config key that no other collector may use (scrape's job: two collectors would
  // publish the same up{job, instance}). The loader reports a repeat at that key.
  struct ExclusiveKey {
    std::string key;
    std::string value;
  };
  std::vector<ExclusiveKey> exclusive_keys = {};
};

// Reads the type-specific keys of one collector entry. The common keys (name, type, interval,
// timeout) are already read and accepted. Records problems in reader.errors() and returns nullopt
// on any; the caller runs reader.Finish() to report unknown keys.
using CollectorParser =
    std::function<std::optional<ParsedCollector>(MapReader& reader, const CollectorIdentity&)>;

// Writes the built-in alerting rules of one collector of a type from its thresholds, as text
// (the rules module compiles them; collectors do not see PromQL).
using BuiltinRuleGenerator = std::function<std::vector<AlertRuleText>(
    const std::string& collector, const Thresholds& thresholds)>;

}  // namespace opswatch
