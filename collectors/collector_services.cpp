#include "collectors/collector_services.hpp"

#include "collectors/http_probe_loop.hpp"

namespace opswatch {

CollectorServices::CollectorServices(Clock& clock, Logger& logger,
                                     std::shared_ptr<DiskStatter> disk_statter)
    : clock_(clock), logger_(logger), disk_statter_(std::move(disk_statter)) {}

CollectorServices::~CollectorServices() = default;

HttpProbeLoop& CollectorServices::http_loop() {
  std::lock_guard lock(mu_);
  if (!http_loop_) http_loop_ = std::make_unique<HttpProbeLoop>(logger_);
  return *http_loop_;
}

}  // namespace opswatch
