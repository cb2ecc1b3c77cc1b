// http: probes one or more URLs through the shared HttpProbeLoop, checks status, body and JSON
// fields, and exports chosen JSON fields (README: `type: http` and its metrics).
//
// A target that is down is an observation (opswatch_http_up 0), not a collector failure, as in
// blackbox_exporter: the run's status stays ok so CollectorFailing does not fire beside
// ServiceDown. A target's error is logged when it changes (never with credentials or headers).
// Thread-safety: Collect() is not called concurrently for one instance (scheduler guarantee); the
// probe round (collectors/http_probe_round) locks what it shares with the loop thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/collector.hpp"
#include "collectors/http/http_config.hpp"
#include "collectors/http_probe_loop.hpp"
#include "collectors/http_probe_round.hpp"

namespace opswatch {

// What one response means under a config: pure, so it is unit-tested without a network.
struct HttpTargetOutcome {
  bool up = false;
  std::string error;                                    // first reason for up == 0; empty when up
  std::vector<std::pair<std::string, bool>> checks;     // (check text, passed), in config order
  std::vector<std::pair<std::string, double>> exports;  // (field, value) for numbers and booleans
};
HttpTargetOutcome EvaluateHttpResponse(const HttpConfig& config, const HttpProbeResponse& response);

// The probe the loop runs for `target` with at most `timeout` (already bounded by the deadline).
HttpProbeRequest BuildHttpProbeRequest(const HttpConfig& config, const HttpTarget& target,
                                       Millis timeout);

class HttpCollector final : public Collector {
 public:
  HttpCollector(HttpConfig config, HttpProbeLoop& loop, Clock& clock, Logger& logger);
  ~HttpCollector() override;
  CollectResult Collect(const RunContext& ctx) override;

 private:
  HttpConfig config_;
  Clock& clock_;
  Logger& logger_;
  HttpProbeRound round_;
  std::vector<std::optional<double>> cert_not_after_;  // last seen; a reused connection has none
  std::vector<std::string> last_error_;                // for logging changes only
};

}  // namespace opswatch
