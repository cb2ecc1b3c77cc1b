// Rules and delivery as the process runs them: every second the evaluation thread hands the
// latest snapshot to the RuleManager (which evaluates the groups that are due), passes the alerts
// to send to the Dispatcher, and publishes both components' metrics into the snapshot store.
// EvaluateOnce() is the synchronous step; Start() wraps it in a thread.
// Thread-safety: thread-safe; Apply() is called under the App's reload lock.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/logger.hpp"
#include "exporter/config.hpp"
#include "exporter/pages.hpp"
#include "exporter/snapshot_store.hpp"
#include "notify/dispatcher.hpp"
#include "rules/rule_manager.hpp"

namespace opswatch {

class AlertingPipeline {
 public:
  AlertingPipeline(SnapshotStore& store, const Clock& clock, Logger& logger);
  ~AlertingPipeline();
  AlertingPipeline(const AlertingPipeline&) = delete;
  AlertingPipeline& operator=(const AlertingPipeline&) = delete;

  // (Re)configures rules and receivers from a validated config. `deliver` false builds no
  // dispatcher (for --once and --print-rules).
  void Apply(const Config& config, bool deliver);
  // Evaluates due rule groups and hands alerts to the dispatcher; returns the alerts sent.
  std::vector<Alert> EvaluateOnce();
  void Start();
  void Stop();

  std::string RulesJson() const;
  std::string AlertsJson() const;
  std::string PrintRules() const;
  std::vector<Alert> Alerts() const;
  AlertingHealth Health() const;

 private:
  SnapshotStore& store_;
  const Clock& clock_;
  Logger& logger_;
  std::mt19937_64 rng_{std::random_device{}()};  // used only on the dispatcher thread

  mutable std::mutex mu_;  // guards the components below against Apply() during a round
  std::unique_ptr<RuleManager> rules_;
  RuleManagerOptions rule_options_;
  std::unique_ptr<notify::HttpTransport> transport_;
  std::unique_ptr<notify::OutboxFs> outbox_fs_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
  std::unique_ptr<notify::DispatcherThread> dispatcher_thread_;

  std::mutex thread_mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // GUARDED_BY(thread_mu_)
  std::thread thread_;
};

}  // namespace opswatch
