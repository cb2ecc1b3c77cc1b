// One round of HTTP probes, one per target, through the shared HttpProbeLoop: what the http and
// scrape collectors do each run. A target whose previous probe is still in flight is not probed
// again (transfers never pile up behind a hung target), and the round waits until every probe
// answered or the run's deadline passed.
// Thread-safety: Run is called by one thread at a time (a collector's runs are serialised); the
// per-target slots are shared with the loop thread's callbacks, locked, and outlive this object
// while probes are in flight.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collectors/http_probe_loop.hpp"
#include "core/clock.hpp"

namespace opswatch {

class HttpProbeRound {
 public:
  // `what` names a probe in the errors of targets without an answer ("probe", "scrape").
  HttpProbeRound(HttpProbeLoop& loop, Clock& clock, size_t targets, std::string what);
  ~HttpProbeRound();
  HttpProbeRound(const HttpProbeRound&) = delete;
  HttpProbeRound& operator=(const HttpProbeRound&) = delete;

  // Submits request(i) for every target i not still in flight and waits until they answered or
  // `deadline`. One response per target: its answer, or one whose error says why there is none
  // ("previous probe still running", "no response before the collector's deadline").
  std::vector<HttpProbeResponse> Run(const std::function<HttpProbeRequest(size_t)>& request,
                                     SteadyTime deadline);

 private:
  struct Slots;  // shared with the loop's callbacks
  HttpProbeLoop& loop_;
  Clock& clock_;
  std::string what_;
  std::shared_ptr<Slots> slots_;
};

}  // namespace opswatch
