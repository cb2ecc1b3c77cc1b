// The process on top: builds every component from the config, wires them, serves HTTP, reloads.
// Reloads run only on the thread that owns the App (the one that calls Start and handles
// SIGHUP): POST /-/reload queues a request that this thread serves in RunPendingReloads().
// Thread-safety: Start, Reload, RunPendingReloads and Stop on the owning thread; HTTP handlers on
// the server's workers. Start/Reload/Stop are serialised.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

#include "collectors/collector_services.hpp"
#include "collectors/disk_statter.hpp"
#include "collectors/registry.hpp"
#include "core/clock.hpp"
#include "core/logger.hpp"
#include "exporter/alerting_pipeline.hpp"
#include "exporter/config.hpp"
#include "exporter/exposition.hpp"
#include "exporter/http_server.hpp"
#include "exporter/os_config_env.hpp"
#include "exporter/reload_requests.hpp"
#include "exporter/scheduler.hpp"
#include "exporter/snapshot_store.hpp"
#include "exporter/state_dir_probe.hpp"
#include "exporter/web_config_watcher.hpp"
#include "exporter/web_guard.hpp"

namespace opswatch {

struct AppOptions {
  std::string config_file;
  std::string listen_address;
  std::string web_config_file;    // empty: plain HTTP, no authentication
  bool enable_lifecycle = false;  // POST /-/reload allowed
};

class App {
 public:
  App(AppOptions options, Clock& clock, Logger& logger);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Loads the config and starts collecting and serving. An error leaves nothing running.
  Status Start();
  // Validates the config file whole and switches to it; on error the running config stays.
  Status Reload();
  // Readable while a reload asked for over HTTP waits; then call RunPendingReloads().
  int reload_wake_fd() const { return reload_requests_.wake_fd(); }
  void RunPendingReloads();
  void Stop();

  // --once: collect once, print the exposition to `out`, return the exit code.
  int RunOnce(std::ostream& out, std::ostream& err);
  // --print-rules: the effective rules as one rule file on `out`; returns the exit code.
  int PrintRules(std::ostream& out, std::ostream& err);

  int port() const { return server_.port(); }

 private:
  Status Apply(Config config, bool deliver);  // REQUIRES(reload_mu_)
  void RecordReload(bool ok);
  void RegisterRoutes();
  Status StartServing();
  // Brings opswatch_http_auth_failures_total in the snapshot up to date (cheap when unchanged).
  void PublishAuthFailures();
  HttpReply HandleMetrics(const HttpRequest& request);
  HttpReply HandleHealth(const HttpRequest& request);
  HttpReply HandleReady(const HttpRequest& request);
  HttpReply HandleReload(const HttpRequest& request);
  HttpReply HandleStatusPage(const HttpRequest& request);
  HealthFacts Facts();

  AppOptions options_;
  Clock& clock_;
  Logger& logger_;
  const SteadyTime started_;
  OsConfigEnv env_;
  CollectorRegistry registry_;
  // Shared with stat threads abandoned on a hung mount, which may outlive the App.
  std::shared_ptr<DiskStatter> disk_statter_ = std::make_shared<OsDiskStatter>();
  CollectorServices services_;
  SnapshotStore store_;
  AlertingPipeline alerting_;
  ExpositionCache exposition_;
  ThreadRunExecutor executor_;
  WebGuard guard_;
  std::unique_ptr<WebConfigWatcher> web_config_;  // set in Start when --web.config.file is given
  std::mutex publish_mu_;  // keeps the published counter from going backwards
  std::optional<uint64_t> published_auth_failures_;  // GUARDED_BY(publish_mu_)
  HttpServer server_;
  StateDirProbe state_dir_probe_;
  ReloadRequests reload_requests_;

  std::mutex reload_mu_;                  // serialises Start/Reload/Stop
  std::unique_ptr<Scheduler> scheduler_;  // GUARDED_BY(reload_mu_)
  std::string state_dir_;                 // GUARDED_BY(reload_mu_)
  std::atomic<bool> config_loaded_{false};
  double last_reload_ok_ = 0;            // GUARDED_BY(reload_mu_)
  double last_reload_success_time_ = 0;  // GUARDED_BY(reload_mu_)
};

std::string VersionString();

}  // namespace opswatch
