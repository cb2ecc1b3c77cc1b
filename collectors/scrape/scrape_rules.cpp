#include "collectors/scrape/scrape_rules.hpp"

#include "collectors/scrape/scrape_metrics.hpp"

namespace opswatch {

std::vector<AlertRuleText> ScrapeBuiltinRules(const std::string& collector,
                                              const Thresholds& /*thresholds*/) {
  return {{"TargetDown", CollectorSelector(scrape_metrics::kUp, collector) + " == 0",
           std::chrono::minutes(2), "critical",
           "{{ $labels.job }} target {{ $labels.instance }} is down",
           "The scrape of {{ $labels.instance }} (job {{ $labels.job }}) fails: the request did "
           "not complete, returned a status other than 200, or the exposition did not parse.",
           "The log line \"scrape target is down\" names the target and the reason; curl the "
           "target's /metrics from the opswatch host."}};
}

}  // namespace opswatch
