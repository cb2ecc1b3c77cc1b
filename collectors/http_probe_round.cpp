#include "collectors/http_probe_round.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>

namespace opswatch {

struct HttpProbeRound::Slots {
  struct Slot {
    bool in_flight = false;                   // GUARDED_BY(mu)
    std::optional<HttpProbeResponse> result;  // GUARDED_BY(mu)
  };
  std::mutex mu;
  std::condition_variable done;
  std::vector<Slot> slots;  // one per target
};

HttpProbeRound::HttpProbeRound(HttpProbeLoop& loop, Clock& clock, size_t targets, std::string what)
    : loop_(loop), clock_(clock), what_(std::move(what)), slots_(std::make_shared<Slots>()) {
  slots_->slots.resize(targets);
}

HttpProbeRound::~HttpProbeRound() = default;

std::vector<HttpProbeResponse> HttpProbeRound::Run(
    const std::function<HttpProbeRequest(size_t)>& request, SteadyTime deadline) {
  const size_t n = slots_->slots.size();
  std::vector<bool> skipped(n, false);
  {
    std::lock_guard lock(slots_->mu);
    for (size_t i = 0; i < n; ++i) {
      auto& slot = slots_->slots[i];
      if (slot.in_flight) {
        skipped[i] = true;  // an earlier probe outlived its run: do not pile up transfers
        continue;
      }
      slot.in_flight = true;
      slot.result.reset();
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (skipped[i]) continue;
    // The callback owns a shared reference, so a probe may outlive its collector.
    loop_.Submit(request(i), [slots = slots_, i](HttpProbeResponse response) {
      std::lock_guard lock(slots->mu);
      slots->slots[i].result = std::move(response);
      slots->slots[i].in_flight = false;
      slots->done.notify_all();
    });
  }

  std::vector<HttpProbeResponse> responses(n);
  std::unique_lock lock(slots_->mu);
  // Wait in real time for what is left of the run's deadline (the clock may be a test's).
  slots_->done.wait_for(lock, deadline - clock_.SteadyNow(), [&] {
    for (size_t i = 0; i < n; ++i) {
      if (!skipped[i] && slots_->slots[i].in_flight) return false;
    }
    return true;
  });
  for (size_t i = 0; i < n; ++i) {
    if (skipped[i]) {
      responses[i].error = "previous " + what_ + " still running";
    } else if (slots_->slots[i].in_flight || !slots_->slots[i].result) {
      responses[i].error = "no response before the collector's deadline";
    } else {
      responses[i] = std::move(*slots_->slots[i].result);
    }
  }
  return responses;
}

}  // namespace opswatch
