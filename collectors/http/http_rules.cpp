#include "collectors/http/http_rules.hpp"

#include "collectors/http/http_metrics.hpp"
#include "core/humanize.hpp"

namespace opswatch {

namespace {

using std::chrono::minutes;

}  // namespace

std::vector<AlertRuleText> HttpBuiltinRules(const std::string& collector,
                                            const Thresholds& thresholds) {
  std::vector<AlertRuleText> rules;
  rules.push_back(
      {"ServiceDown", CollectorSelector(http_metrics::kUp, collector) + " == 0", minutes(2),
       "critical", "{{ $labels.target }} is down",
       "The health check of {{ $labels.target }} fails: the request did not complete, returned an "
       "unexpected status, or a check failed.",
       "curl -sv the target from the opswatch host; see opswatch_http_status_code and "
       "opswatch_http_check_ok for which part failed, and the service's logs."});
  rules.push_back(
      {"ServiceCheckFailed", CollectorSelector(http_metrics::kCheckOk, collector) + " == 0",
       minutes(2), "warning", "Health check '{{ $labels.check }}' fails on {{ $labels.target }}",
       "The check {{ $labels.check }} on the response of {{ $labels.target }} is false.",
       "Fetch the health document and look at the field the check reads; the service's own logs "
       "say why it reports itself unhealthy."});
  if (auto slow = FindThreshold(thresholds, "slow")) {
    rules.push_back(
        {"ServiceSlow",
         CollectorSelector(http_metrics::kDuration, collector) + " > " + FormatThreshold(*slow),
         minutes(5), "warning", "{{ $labels.target }} is slow",
         "{{ $labels.target }} took {{ $value | humanizeDuration }} to answer, more than " +
             HumanizeDuration(*slow) + ".",
         "Check the service's load, its database and its dependencies; compare with "
         "opswatch_http_duration_seconds over the last hours."});
  }
  if (auto expiry = FindThreshold(thresholds, "cert_expiry")) {
    rules.push_back(
        {"TLSCertExpiringSoon",
         CollectorSelector(http_metrics::kTlsCertExpiry, collector) + " - time() < " +
             FormatThreshold(*expiry),
         minutes(10), "warning", "TLS certificate of {{ $labels.target }} expires soon",
         "The certificate of {{ $labels.target }} expires in {{ $value | humanizeDuration }}, "
         "less than " +
             HumanizeDuration(*expiry) + ".",
         "Renew it (certbot renew, or your ACME client / cert-manager) and reload the server; "
         "check why automatic renewal did not run."});
  }
  return rules;
}

}  // namespace opswatch
