#include "exporter/web_guard.hpp"

namespace opswatch {
namespace {

const char* OutcomeReason(BasicAuthOutcome outcome) {
  switch (outcome) {
    case BasicAuthOutcome::kMissing:
      return "no credentials";
    case BasicAuthOutcome::kMalformed:
      return "malformed Authorization header";
    case BasicAuthOutcome::kBadCredentials:
      return "unknown user or wrong password";
    case BasicAuthOutcome::kOk:
      break;
  }
  return "ok";
}

}  // namespace

WebGuard::WebGuard(std::set<std::string> open_paths, const Clock& clock, Logger& logger)
    : open_paths_(std::move(open_paths)),
      clock_(clock),
      logger_(logger),
      policy_(std::make_shared<const Policy>()) {}

void WebGuard::Apply(const WebConfig& config) {
  auto policy = std::make_shared<Policy>();
  if (!config.users.empty()) policy->auth = std::make_shared<BasicAuthenticator>(config.users);
  policy->headers = config.headers;
  std::lock_guard lock(mu_);
  policy_ = std::move(policy);
}

HttpReply WebGuard::Handle(const HttpRequest& request, const HttpHandler& next) {
  std::shared_ptr<const Policy> policy;
  {
    std::lock_guard lock(mu_);
    policy = policy_;
  }
  HttpReply reply;
  BasicAuthOutcome outcome = BasicAuthOutcome::kOk;
  if (policy->auth && !open_paths_.count(request.path)) {
    outcome = policy->auth->Check(request.Header("authorization"));
  }
  if (outcome == BasicAuthOutcome::kOk) {
    reply = next(request);
  } else {
    RecordFailure(request, outcome);
    reply = HttpReply::Text(401, "Unauthorized\n");
    reply.headers.emplace_back("WWW-Authenticate", "Basic realm=\"opswatch\", charset=\"UTF-8\"");
  }
  for (const auto& header : policy->headers) reply.headers.push_back(header);
  return reply;
}

void WebGuard::RecordFailure(const HttpRequest& request, BasicAuthOutcome outcome) {
  auth_failures_.fetch_add(1);
  SteadyTime now = clock_.SteadyNow();
  uint64_t not_logged;
  {
    std::lock_guard lock(log_mu_);
    if (last_failure_log_ && now - *last_failure_log_ < kFailureLogInterval) {
      ++failures_not_logged_;
      return;
    }
    last_failure_log_ = now;
    not_logged = failures_not_logged_;
    failures_not_logged_ = 0;
  }
  // Neither the user name nor the password: a password typed into the user field would land in
  // the log.
  logger_.Warn("failed HTTP login", {{"remote", request.remote_address},
                                     {"path", request.path},
                                     {"reason", OutcomeReason(outcome)},
                                     {"failures_not_logged_since_last", not_logged}});
}

}  // namespace opswatch
