#include "exporter/reload_requests.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

namespace opswatch {

ReloadRequests::ReloadRequests() : wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

ReloadRequests::Answer ReloadRequests::Request(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (shutting_down_) return {Answer::Kind::kShuttingDown, Status::Ok()};
  const uint64_t ticket = ++requested_;
  uint64_t one = 1;
  (void)!write(wake_fd_.get(), &one, sizeof one);
  done_.wait_for(lock, timeout, [&] { return completed_ >= ticket || shutting_down_; });
  if (completed_ >= ticket) return {Answer::Kind::kDone, last_status_};
  if (shutting_down_) return {Answer::Kind::kShuttingDown, Status::Ok()};
  return {Answer::Kind::kTimedOut, Status::Ok()};
}

void ReloadRequests::RunPending(const std::function<Status()>& reload) {
  uint64_t drained = 0;
  (void)!read(wake_fd_.get(), &drained, sizeof drained);
  uint64_t covered = 0;
  {
    std::lock_guard lock(mu_);
    if (shutting_down_ || requested_ == started_) return;
    covered = started_ = requested_;
  }
  Status status = reload();
  std::lock_guard lock(mu_);
  completed_ = covered;
  last_status_ = std::move(status);
  done_.notify_all();
}

void ReloadRequests::Shutdown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  done_.notify_all();
}

}  // namespace opswatch
