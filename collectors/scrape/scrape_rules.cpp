#include "collectors/scrape/scrape_rules.hpp"

#include "collectors/scrape/scrape_metrics.hpp"

namespace opswatch {

std::vector<AlertRuleText> ScrapeBuiltinRules(const std::string& job) {
  AlertRuleText target_down{
      "TargetDown",
      std::string(scrape_metrics::kUp.name) + "{job=\"" + EscapeLabelValue(job) + "\"} == 0",
      std::chrono::minutes(2),
      "critical",
      "{{ $labels.job }} target {{ $labels.instance }} is down",
      "The scrape of {{ $labels.instance }} (job {{ $labels.job }}) fails: the request did "
      "not complete, returned a status other than 200, the exposition did not parse or it was over "
      "a limit.",
      "The log line \"scrape target is down\" names the target and the reason; curl the "
      "target's /metrics from the opswatch host."};
  target_down.owner_label = "job";
  target_down.owner_value = job;
  return {target_down};
}

}  // namespace opswatch
