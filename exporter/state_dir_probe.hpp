// Free space and writability of the state directory for /health, measured off the request path: a
// request reads the last values; a refresh runs statvfs and access(W_OK) on a detached thread
// unless one is still in flight (the state dir may sit on a mount that hangs). A state dir that
// cannot be written (read-only filesystem, permissions, missing) loses alert state and the outbox
// on restart, so /health reports it instead of saying ok.
// Thread-safety: thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "collectors/disk_statter.hpp"

namespace opswatch {

class StateDirProbe {
 public:
  explicit StateDirProbe(std::shared_ptr<DiskStatter> statter);
  void SetPath(std::string path);
  void Refresh();
  // Bytes available to unprivileged users; -1 when unknown.
  double AvailBytes() const;
  // Why the state dir cannot be written, e.g. "state_dir /var/lib/opswatch is not writable:
  // Read-only file system"; empty when it can (or before the first refresh).
  std::string Problem() const;

 private:
  struct Shared {
    std::atomic<double> avail{-1};
    std::atomic<bool> in_flight{false};
    std::mutex mu;
    std::string problem;  // GUARDED_BY(mu)
  };
  std::shared_ptr<DiskStatter> statter_;  // shared with the detached refresh thread
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  mutable std::mutex mu_;
  std::string path_;  // GUARDED_BY(mu_)
};

}  // namespace opswatch
