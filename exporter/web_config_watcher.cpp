#include "exporter/web_config_watcher.hpp"

#include <sys/stat.h>

#include "core/bounded_read.hpp"

namespace opswatch {

WebConfigWatcher::WebConfigWatcher(std::string file, const ConfigEnv& env, WebGuard& guard,
                                   Logger& logger)
    : file_(std::move(file)), env_(env), guard_(guard), logger_(logger) {
  health_.file = file_;
}

WebConfigWatcher::~WebConfigWatcher() { Stop(); }

Result<WebConfigWatcher::Loaded> WebConfigWatcher::LoadFiles() const {
  ConfigErrors errors;
  auto text = env_.ReadFile(file_, kConfigFileLimit);
  if (!text) {
    errors.AddUnpositioned("cannot read web config file: " + text.error());
    return Result<Loaded>::Error(errors.Format(file_));
  }
  Loaded loaded;
  loaded.config = ParseWebConfig(file_, *text, errors, env_);
  if (errors.empty() && loaded.config.tls_enabled) {
    loaded.tls = BuildTlsServerContext(loaded.config.tls, env_, errors);
  }
  if (!errors.empty()) return Result<Loaded>::Error(errors.Format(file_));
  return loaded;
}

WebConfigWatcher::Fingerprint WebConfigWatcher::TakeFingerprint(const WebConfig& config) const {
  std::vector<std::string> paths = {file_};
  if (config.tls_enabled) {
    for (const FileRef* ref :
         {&config.tls.cert_file, &config.tls.key_file, &config.tls.client_ca_file}) {
      if (!ref->path.empty()) paths.push_back(ref->path);
    }
  }
  Fingerprint fingerprint;
  for (const auto& path : paths) {
    FileIdentity id;
    id.path = path;
    struct stat st {};
    if (stat(path.c_str(), &st) == 0) {
      id.exists = true;
      id.device = st.st_dev;
      id.inode = st.st_ino;
      id.size = static_cast<uint64_t>(st.st_size);
      id.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    }
    fingerprint.push_back(std::move(id));
  }
  return fingerprint;
}

Status WebConfigWatcher::Load() {
  std::lock_guard lock(mu_);
  auto loaded = LoadFiles();
  if (!loaded) return loaded.status();
  // Taken before anything can change them again; an edit racing with this load is seen next time.
  seen_ = TakeFingerprint(loaded->config);
  if (loaded->tls) tls_ = std::make_unique<TlsContextSwitch>(loaded->tls);
  guard_.Apply(loaded->config);
  applied_ = std::move(loaded->config);
  return Status::Ok();
}

void WebConfigWatcher::CheckForChanges(bool force) {
  std::lock_guard lock(mu_);
  // The files the running config names, and those a new version might name: a fixed config may
  // point at other files than the broken one did, so the web config file's own identity decides.
  Fingerprint now = TakeFingerprint(applied_);
  if (!force && now == seen_) return;
  seen_ = now;
  auto loaded = LoadFiles();
  Status problem = loaded ? Status::Ok() : loaded.status();
  if (loaded && loaded->config.tls_enabled != applied_.tls_enabled) {
    problem = Status::Error(file_ + ": switching between HTTP and HTTPS needs a restart\n");
  }
  if (!problem.ok()) {
    health_.ok = false;
    health_.last_error = problem.message();
    logger_.Error("web config not reloaded; keeping the running one",
                  {{"file", file_}, {"err", problem.message()}});
    return;
  }
  // The files it names now (a new cert_file path) are watched from here on.
  seen_ = TakeFingerprint(loaded->config);
  if (tls_) tls_->Set(loaded->tls);
  guard_.Apply(loaded->config);
  applied_ = std::move(loaded->config);
  bool was_failing = !health_.ok;
  health_.ok = true;
  health_.last_error.clear();
  logger_.Info("web config reloaded", {{"file", file_}, {"recovered", was_failing}});
}

WebConfigHealth WebConfigWatcher::Health() const {
  std::lock_guard lock(mu_);
  return health_;
}

void WebConfigWatcher::Start() {
  poller_ = std::thread([this] {
    std::unique_lock lock(stop_mu_);
    while (!stop_cv_.wait_for(lock, kPollInterval, [this] { return stopping_; })) {
      lock.unlock();
      CheckForChanges();
      lock.lock();
    }
  });
}

void WebConfigWatcher::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

}  // namespace opswatch
