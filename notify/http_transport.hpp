// The network seam of delivery: start POSTs without blocking, collect their outcomes later. The
// libcurl implementation runs every request on one multi handle, so a receiver that accepts a
// connection and never answers holds only its own request (until its timeout) and delays nobody.
// Thread-safety: Start, Poll and Wait from one thread (the dispatcher's); Wakeup from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/secret.hpp"
#include "notify/retry.hpp"

namespace opswatch::notify {

struct HttpRequest {
  Secret url;                        // a webhook URL is a credential
  std::vector<std::string> headers;  // "Name: value"; may hold tokens
  std::string body;
  Duration timeout{};
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Begins `request`; its outcome comes back from Poll under `id`.
  virtual void Start(uint64_t id, HttpRequest request) = 0;
  // Makes progress without blocking and returns the requests that finished.
  virtual std::vector<std::pair<uint64_t, AttemptOutcome>> Poll() = 0;
  // Blocks until a request may have progressed, Wakeup is called, or `max` passes.
  virtual void Wait(Duration max) = 0;
  virtual void Wakeup() = 0;
  virtual size_t in_flight() const = 0;
};

std::unique_ptr<HttpTransport> MakeCurlTransport();

}  // namespace opswatch::notify
