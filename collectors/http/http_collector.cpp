#include "collectors/http/http_collector.hpp"

#include <algorithm>

#include "collectors/http/http_metrics.hpp"
#include "collectors/json_judgement.hpp"

namespace opswatch {

HttpTargetOutcome EvaluateHttpResponse(const HttpConfig& config,
                                       const HttpProbeResponse& response) {
  HttpTargetOutcome out;
  auto fail = [&out](std::string reason) {
    if (out.error.empty()) out.error = std::move(reason);
  };
  if (!response.completed) {
    fail(response.error.empty() ? "no response" : response.error);
    for (const auto& check : config.checks) out.checks.emplace_back(check.text(), false);
    return out;
  }
  if (!HttpStatusExpected(config, response.status)) {
    fail("unexpected status " + std::to_string(response.status));
  }
  // Parse once, only when a check or export reads JSON. A 503 from /health usually still has a
  // JSON body, and its checks say which part is unhealthy, so checks run whatever the status.
  bool needs_json =
      !config.exports.empty() || std::any_of(config.checks.begin(), config.checks.end(),
                                             [](const CheckExpr& c) { return c.uses_json(); });
  nlohmann::json doc;
  bool json_ok = false;
  if (needs_json) {
    doc = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    json_ok = !doc.is_discarded();
  }
  CheckInput input;
  input.status = response.status;
  input.duration_seconds = response.duration_seconds;
  input.body = response.body;
  input.json = json_ok ? &doc : nullptr;
  JsonJudgement judgement = JudgeJsonDocument(config.checks, config.exports, input);
  if (!judgement.first_failure.empty()) fail(judgement.first_failure);
  out.checks = std::move(judgement.checks);
  out.exports = std::move(judgement.exports);
  out.up = out.error.empty();
  return out;
}

HttpProbeRequest BuildHttpProbeRequest(const HttpConfig& config, const HttpTarget& target,
                                       Millis timeout) {
  HttpProbeRequest request;
  request.url = target.url;
  request.method = config.method;
  for (const auto& header : config.headers) request.headers.emplace_back(header.name, header.value);
  request.body = config.body;
  request.body_limit = config.body_limit;
  request.timeout = timeout;
  request.max_redirects = config.follow_redirects ? kHttpMaxRedirects : 0;
  request.tls = config.tls;
  return request;
}

HttpCollector::HttpCollector(HttpConfig config, HttpProbeLoop& loop, Clock& clock, Logger& logger)
    : config_(std::move(config)),
      clock_(clock),
      logger_(logger),
      round_(loop, clock, config_.targets.size(), "probe"),
      cert_not_after_(config_.targets.size()),
      last_error_(config_.targets.size()) {}

HttpCollector::~HttpCollector() = default;

CollectResult HttpCollector::Collect(const RunContext& ctx) {
  const size_t n = config_.targets.size();
  auto remaining = std::chrono::duration_cast<Millis>(ctx.deadline - clock_.SteadyNow());
  Millis timeout = std::max(Millis(1), std::min(config_.timeout, remaining));
  std::vector<HttpProbeResponse> responses = round_.Run(
      [&](size_t i) { return BuildHttpProbeRequest(config_, config_.targets[i], timeout); },
      ctx.deadline);

  MetricFamily up = NewFamily(http_metrics::kUp);
  MetricFamily status = NewFamily(http_metrics::kStatusCode);
  MetricFamily duration = NewFamily(http_metrics::kDuration);
  MetricFamily check_ok = NewFamily(http_metrics::kCheckOk);
  MetricFamily json_value = NewFamily(http_metrics::kJsonValue);
  MetricFamily cert_expiry = NewFamily(http_metrics::kTlsCertExpiry);
  MetricFamily body_bytes = NewFamily(http_metrics::kBodyBytes);
  for (size_t i = 0; i < n; ++i) {
    const HttpTarget& target = config_.targets[i];
    Labels labels{{"target", target.label}};
    HttpProbeResponse& response = responses[i];
    HttpTargetOutcome outcome = EvaluateHttpResponse(config_, response);
    up.Add(labels, outcome.up ? 1 : 0);
    status.Add(labels, double(response.status));
    duration.Add(labels, response.duration_seconds);
    body_bytes.Add(labels, double(response.body_bytes));
    for (const auto& [text, ok] : outcome.checks) {
      check_ok.Add(Labels(labels).Set("check", text), ok ? 1 : 0);
    }
    for (const auto& [field, value] : outcome.exports) {
      json_value.Add(Labels(labels).Set("field", field), value);
    }
    if (response.cert_not_after) cert_not_after_[i] = response.cert_not_after;
    if (target.https && cert_not_after_[i]) cert_expiry.Add(labels, *cert_not_after_[i]);
    if (outcome.error != last_error_[i]) {
      if (outcome.error.empty()) {
        logger_.Info("http target is up", {{"target", target.label}});
      } else {
        logger_.Warn("http target is down", {{"target", target.label}, {"reason", outcome.error}});
      }
      last_error_[i] = outcome.error;
    }
  }
  CollectResult result;
  result.families = {std::move(up),        std::move(status),     std::move(duration),
                     std::move(check_ok),  std::move(json_value), std::move(cert_expiry),
                     std::move(body_bytes)};
  return result;
}

}  // namespace opswatch
