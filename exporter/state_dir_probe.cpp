#include "exporter/state_dir_probe.hpp"

#include <thread>

namespace opswatch {

StateDirProbe::StateDirProbe(DiskStatter& statter) : statter_(statter) {}

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
  std::thread([shared = shared_, &statter = statter_, path] {
    auto stats = statter.Stat(path);
    shared->avail = stats ? double(stats->avail_bytes) : -1;
    shared->in_flight = false;
  }).detach();
}

double StateDirProbe::AvailBytes() const { return shared_->avail.load(); }

}  // namespace opswatch
