// Loads --web.config.file, applies it to the WebGuard and the TLS context switch, and applies it
// again when it or a file it names (certificate, key, client CAs) changes: certificates rotate
// without a restart. A file that does not load at start is fatal (file:line:col, as for
// opswatch.yml); one that does not load later is logged, shown on /health, and the running one
// stays. Switching between HTTP and HTTPS needs a restart (the listening socket is one or the
// other) and is refused the same way.
// Changes are noticed by polling the files' identity (device, inode, size, mtime) every
// kPollInterval, which also sees Kubernetes' symlink swap of a mounted secret, and on Reload()
// (SIGHUP, POST /-/reload).
// Thread-safety: Load before Start; CheckForChanges and Health from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config_reader.hpp"
#include "core/logger.hpp"
#include "core/status.hpp"
#include "exporter/tls_context.hpp"
#include "exporter/web_config.hpp"
#include "exporter/web_guard.hpp"

namespace opswatch {

struct WebConfigHealth {
  bool ok = true;
  std::string file;
  std::string last_error;  // why the newest version of the files is not in use
};

class WebConfigWatcher {
 public:
  WebConfigWatcher(std::string file, const ConfigEnv& env, WebGuard& guard, Logger& logger);
  ~WebConfigWatcher();
  WebConfigWatcher(const WebConfigWatcher&) = delete;
  WebConfigWatcher& operator=(const WebConfigWatcher&) = delete;

  // The first load; the error text has one file:line:col line per problem.
  Status Load();
  // The contexts to serve HTTPS with; null when the web config has no tls_server_config.
  TlsContextSwitch* tls() { return tls_.get(); }

  // Re-reads the files when they changed since the last attempt (or always, with `force`).
  void CheckForChanges(bool force = false);
  WebConfigHealth Health() const;

  void Start();  // polls CheckForChanges every kPollInterval on a thread of its own
  void Stop();
  static constexpr std::chrono::seconds kPollInterval{1};

 private:
  struct FileIdentity {
    std::string path;
    bool exists = false;
    uint64_t device = 0, inode = 0, size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileIdentity&) const = default;
  };
  using Fingerprint = std::vector<FileIdentity>;
  struct Loaded {
    WebConfig config;
    std::shared_ptr<const TlsServerContext> tls;
  };
  Result<Loaded> LoadFiles() const;
  Fingerprint TakeFingerprint(const WebConfig& config) const;

  const std::string file_;
  const ConfigEnv& env_;
  WebGuard& guard_;
  Logger& logger_;
  std::unique_ptr<TlsContextSwitch> tls_;  // set by Load, never replaced

  mutable std::mutex mu_;   // serialises loads
  WebConfig applied_;       // GUARDED_BY(mu_)
  Fingerprint seen_;        // GUARDED_BY(mu_): of the last attempt, good or bad
  WebConfigHealth health_;  // GUARDED_BY(mu_)

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // GUARDED_BY(stop_mu_)
  std::thread poller_;
};

}  // namespace opswatch
