#include "exporter/alerting_pipeline.hpp"

#include <chrono>
#include <filesystem>

namespace opswatch {

AlertingPipeline::AlertingPipeline(SnapshotStore& store, const Clock& clock, Logger& logger)
    : store_(store), clock_(clock), logger_(logger) {}

AlertingPipeline::~AlertingPipeline() {
  Stop();
  std::lock_guard lock(mu_);
  dispatcher_thread_.reset();  // stop ticking before the dispatcher goes away
  dispatcher_.reset();
}

void AlertingPipeline::Apply(const Config& config, bool deliver) {
  RuleManagerOptions options;
  options.evaluation_interval = config.global.evaluation_interval;
  options.external_labels = config.global.external_labels;
  options.external_url = config.alerting.external_url;
  options.state_dir = deliver ? config.global.state_dir : "";
  options.resend_delay = config.alerting.resend_delay;

  std::lock_guard lock(mu_);
  bool same_options = rules_ && options.evaluation_interval == rule_options_.evaluation_interval &&
                      options.external_labels == rule_options_.external_labels &&
                      options.external_url == rule_options_.external_url &&
                      options.state_dir == rule_options_.state_dir &&
                      options.resend_delay == rule_options_.resend_delay;
  if (!same_options) {
    rules_ = std::make_unique<RuleManager>(options, clock_, logger_);
    rule_options_ = options;
  }
  rules_->SetRules(config.rule_groups);

  dispatcher_thread_.reset();
  dispatcher_.reset();
  if (!deliver) return;
  if (!transport_) {
    transport_ = notify::MakeCurlTransport();
    outbox_fs_ = notify::MakePosixOutboxFs();
  }
  notify::DispatcherOptions dispatch;
  dispatch.config = config.alerting;
  dispatch.outbox_dir = (std::filesystem::path(config.global.state_dir) / "notifications").string();
  dispatch.evaluation_interval = config.global.evaluation_interval;
  dispatcher_ = std::make_unique<notify::Dispatcher>(
      dispatch, *transport_, *outbox_fs_, logger_,
      [this] { return std::uniform_real_distribution<double>(0, 1)(rng_); });
  Status started = dispatcher_->Start(clock_.SystemNow());
  if (!started.ok()) {
    logger_.Warn("notification outbox could not be replayed; delivering from memory",
                 {{"err", started.message()}});
  }
  dispatcher_thread_ = std::make_unique<notify::DispatcherThread>(*dispatcher_, clock_);
}

std::vector<Alert> AlertingPipeline::EvaluateOnce() {
  std::lock_guard lock(mu_);
  if (!rules_) return {};
  SystemTime now = clock_.SystemNow();
  std::vector<Alert> to_send = rules_->Tick(store_.Current(), now);
  if (dispatcher_ && !to_send.empty()) dispatcher_->Submit(to_send, now);
  store_.SetSection("rules", rules_->Families());
  if (dispatcher_) store_.SetSection("notify", dispatcher_->Families(now));
  return to_send;
}

void AlertingPipeline::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(thread_mu_);
    // The first evaluation waits for the first collection round (every collector ran or timed
    // out; bounded by the longest timeout): before it, every collector's series are absent, and
    // an alert restored from state_dir would resolve on data that simply was not collected yet.
    while (!stop_ && !store_.AllCollectedOnce()) {
      wake_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stop_; });
    }
    while (!stop_) {
      lock.unlock();
      EvaluateOnce();
      lock.lock();
      // Rule groups have their own intervals; a one-second tick finds each one due on time.
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
    }
  });
}

void AlertingPipeline::Stop() {
  {
    std::lock_guard lock(thread_mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string AlertingPipeline::RulesJson() const {
  std::lock_guard lock(mu_);
  return rules_ ? rules_->RulesJson() : R"({"status":"success","data":{"groups":[]}})";
}

std::string AlertingPipeline::AlertsJson() const {
  std::lock_guard lock(mu_);
  return rules_ ? rules_->AlertsJson() : R"({"status":"success","data":{"alerts":[]}})";
}

std::string AlertingPipeline::PrintRules() const {
  std::lock_guard lock(mu_);
  return rules_ ? rules_->PrintRules() : "groups: []\n";
}

std::vector<Alert> AlertingPipeline::Alerts() const {
  std::lock_guard lock(mu_);
  return rules_ ? rules_->Alerts() : std::vector<Alert>{};
}

AlertingHealth AlertingPipeline::Health() const {
  std::lock_guard lock(mu_);
  AlertingHealth health;
  if (dispatcher_) {
    auto h = dispatcher_->GetHealth();
    health.ok = h.ok;
    health.last_error = h.last_error;
    health.queued = h.queued;
  }
  return health;
}

}  // namespace opswatch
