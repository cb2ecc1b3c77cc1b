// The web config's rules for every request: basic auth (except on the routes kubelet probes and
// container HEALTHCHECKs use, which carry no credentials) and the configured response headers.
// Failed logins are counted (opswatch_http_auth_failures_total) and logged at a bounded rate: a
// password-guessing client must not flood the log.
// Thread-safety: thread-safe; Handle runs on the server's workers, Apply on the reloading thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/logger.hpp"
#include "exporter/basic_auth.hpp"
#include "exporter/http_server.hpp"
#include "exporter/web_config.hpp"

namespace opswatch {

class WebGuard {
 public:
  // Requests for `open_paths` never need credentials.
  WebGuard(std::set<std::string> open_paths, const Clock& clock, Logger& logger);
  WebGuard(const WebGuard&) = delete;
  WebGuard& operator=(const WebGuard&) = delete;

  // Takes the users and headers of `config` for the requests that start from now on; successful
  // logins remembered under the previous config are forgotten.
  void Apply(const WebConfig& config);
  HttpReply Handle(const HttpRequest& request, const HttpHandler& next);
  uint64_t auth_failures() const { return auth_failures_.load(); }

  // At most one log line per this interval about failed logins, counting those not logged.
  static constexpr std::chrono::seconds kFailureLogInterval{10};

 private:
  struct Policy {
    std::shared_ptr<BasicAuthenticator> auth;  // null: no basic auth configured
    std::vector<std::pair<std::string, std::string>> headers;
  };
  void RecordFailure(const HttpRequest& request, BasicAuthOutcome outcome);

  const std::set<std::string> open_paths_;
  const Clock& clock_;
  Logger& logger_;
  mutable std::mutex mu_;
  std::shared_ptr<const Policy> policy_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> auth_failures_{0};
  std::mutex log_mu_;
  std::optional<SteadyTime> last_failure_log_;  // GUARDED_BY(log_mu_)
  uint64_t failures_not_logged_ = 0;            // GUARDED_BY(log_mu_)
};

}  // namespace opswatch
