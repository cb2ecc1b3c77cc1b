// Reloads asked for over HTTP, carried to the thread that owns the App.
//
// A reload parses config and rule files recursively; CivetWeb's workers have 100 KiB stacks, so a
// deeply nested but valid rule file that loads fine at start overflowed a worker's stack on
// POST /-/reload. The HTTP handler therefore only asks; the owner thread (the one that also takes
// SIGHUP, with the process's full stack) runs the reload and the handler relays the outcome.
// Requests made while no reload has started yet are served by one reload; a request made while
// a reload runs gets the next one (the files may have changed since that one read them).
// Thread-safety: thread-safe. Request() and Shutdown() from any thread; wake_fd() and
// RunPending() on the owner thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "core/status.hpp"
#include "core/unique_fd.hpp"

namespace opswatch {

class ReloadRequests {
 public:
  ReloadRequests();
  ReloadRequests(const ReloadRequests&) = delete;
  ReloadRequests& operator=(const ReloadRequests&) = delete;

  struct Answer {
    enum class Kind {
      kDone,          // `status` is the outcome of a reload that started after the request
      kTimedOut,      // still queued or running; it will run and its outcome is published
      kShuttingDown,  // the process is stopping; no reload will run
    };
    Kind kind;
    Status status;
  };

  // Asks for a reload and waits up to `timeout` for its outcome.
  Answer Request(std::chrono::milliseconds timeout);

  // Readable (poll POLLIN) while a request is pending.
  int wake_fd() const { return wake_fd_.get(); }
  // Runs `reload` once if a request is pending, and answers every request it covers.
  void RunPending(const std::function<Status()>& reload);
  // Answers every waiting and later request with kShuttingDown.
  void Shutdown();

 private:
  UniqueFd wake_fd_;  // an eventfd
  std::mutex mu_;
  std::condition_variable done_;
  uint64_t requested_ = 0;      // GUARDED_BY(mu_): requests made so far
  uint64_t started_ = 0;        // GUARDED_BY(mu_): requests covered by the running or last reload
  uint64_t completed_ = 0;      // GUARDED_BY(mu_): requests whose reload has finished
  Status last_status_;          // GUARDED_BY(mu_)
  bool shutting_down_ = false;  // GUARDED_BY(mu_)
};

}  // namespace opswatch
