// Free space of the state directory for /health, measured off the request path: a request reads
// the last value; a refresh runs statvfs on a detached thread unless one is still in flight (the
// state dir may sit on a mount that hangs).
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
  explicit StateDirProbe(DiskStatter& statter);
  void SetPath(std::string path);
  void Refresh();
  // Bytes available to unprivileged users; -1 when unknown.
  double AvailBytes() const;

 private:
  struct Shared {
    std::atomic<double> avail{-1};
    std::atomic<bool> in_flight{false};
  };
  DiskStatter& statter_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  mutable std::mutex mu_;
  std::string path_;  // GUARDED_BY(mu_)
};

}  // namespace opswatch
