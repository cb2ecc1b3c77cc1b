#include "exporter/state_dir_probe.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace opswatch {

StateDirProbe::StateDirProbe(std::shared_ptr<DiskStatter> statter) : statter_(std::move(statter)) {}

void StateDirProbe::SetPath(std::string path) {
  std::lock_guard lock(mu_);
  path_ = std::move(path);
}

void StateDirProbe::Refresh() {
  std::string path;
  {
    std::lock_guard lock(mu_);
    path = path_;
  }
  if (path.empty() || shared_->in_flight.exchange(true)) return;
  // Owns what it uses: it may outlive the App (a hung mount, or a refresh still running at exit).
  std::thread([shared = shared_, statter = statter_, path] {
    auto stats = statter->Stat(path);
    shared->avail = stats ? double(stats->avail_bytes) : -1;
    // access() reports EROFS even to root, who ignores permission bits.
    std::string problem;
    if (stats && stats->readonly) {
      problem = "state_dir " + path + " is not writable: " + std::strerror(EROFS);
    } else if (::access(path.c_str(), W_OK) != 0) {
      problem = "state_dir " + path + " is not writable: " + std::strerror(errno);
    }
    {
      std::lock_guard lock(shared->mu);
      shared->problem = std::move(problem);
    }
    shared->in_flight = false;
  }).detach();
}

double StateDirProbe::AvailBytes() const { return shared_->avail.load(); }

std::string StateDirProbe::Problem() const {
  std::lock_guard lock(shared_->mu);
  return shared_->problem;
}

}  // namespace opswatch
