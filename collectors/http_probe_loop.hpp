// One libcurl multi event loop, on one thread, for every target of every http collector. A probe
// is a request description plus a callback; the loop runs many transfers at once, so a hung
// endpoint costs one idle socket, never a thread, and never delays another probe.
//
// Safety limits applied to every transfer: http/https only (also across redirects), NOSIGNAL,
// connect and total timeouts, the body capped in the write callback, TLS verification on unless
// the probe turns it off.
// Thread-safety: Submit() may be called from any thread; callbacks run on the loop thread and
// must be quick (they hand the result over, they do not evaluate it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collectors/tls_client_config.hpp"
#include "core/clock.hpp"
#include "core/logger.hpp"
#include "core/secret.hpp"
#include "core/units.hpp"

namespace opswatch {

struct HttpProbeRequest {
  Secret url;
  std::string method = "GET";
  std::vector<std::pair<std::string, Secret>> headers;
  std::string body;
  uint64_t body_limit = 1024 * 1024;
  Millis timeout{10000};   // connect and total
  long max_redirects = 0;  // 0: redirects are not followed (3xx is the answer)
  TlsClientConfig tls;
  // Sent as Accept-Encoding and decoded by libcurl ("gzip"); empty: no Accept-Encoding header and
  // no decoding. body_limit then applies to the decoded body.
  std::string accept_encoding;
};

struct HttpProbeResponse {
  bool completed = false;  // a full response arrived within the limits
  std::string error;       // why not; never contains the URL's credentials or header values
  long status = 0;         // the last response's status, 0 when none arrived
  std::string body;        // at most body_limit bytes
  uint64_t body_bytes = 0;
  std::string content_type;  // the last response's Content-Type header; empty when none
  double duration_seconds = 0;
  std::optional<double> cert_not_after;  // unix seconds, https when the handshake ran
};

class HttpProbeLoop {
 public:
  using Callback = std::function<void(HttpProbeResponse)>;

  explicit HttpProbeLoop(Logger& logger);
  // Stops the thread; pending probes complete with error "probe loop stopped".
  ~HttpProbeLoop();
  HttpProbeLoop(const HttpProbeLoop&) = delete;
  HttpProbeLoop& operator=(const HttpProbeLoop&) = delete;

  // Starts `request`; `done` is called exactly once, on the loop thread.
  void Submit(HttpProbeRequest request, Callback done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

// Parses OpenSSL's certificate date form ("Nov 22 03:00:00 2027 GMT") as unix seconds.
std::optional<double> ParseCertDate(const std::string& text);

}  // namespace opswatch
