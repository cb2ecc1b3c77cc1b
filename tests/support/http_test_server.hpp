// An in-process CivetWeb server on 127.0.0.1 (port 0) with the misbehaviours the http collector
// must survive. Routes:
//   /health            the JSON body and status set by SetHealth (default 200 {"ok":true})
//   /status/500, /status/404   that status with a small JSON body
//   /invalid-json      200 with a body that is not JSON
//   /hang              accepts and never answers (until the server stops)
//   /big               announces Content-Length 1 GB and streams zeros while the client reads
//   /big-unannounced   streams up to 1 GB without a Content-Length (connection close)
//   /endless           chunked transfer that never ends
//   /redirect-file     302 to file:///etc/passwd
//   /redirect-health   302 to /health
//   /echo-auth         200 {"authorization": "<the Authorization header>"}
//   /metrics           the status, Content-Type and body set by SetExposition (default 200, an
//                      empty text-format exposition); remembers the request's Accept header
// HTTP only: Debian's libcivetweb 1.15 dlopens libssl.so and crashes in a worker on the first TLS
// handshake against OpenSSL 3, so TLS tests use `openssl s_server -WWW` (see the http tests).
// Thread-safety: SetHealth and the counters are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

struct mg_context;
struct mg_connection;

namespace opswatch::testing {

class HttpTestServer {
 public:
  // Starts or aborts the test (BOOST_REQUIRE) when it cannot.
  HttpTestServer();
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>".
  std::string base_url() const;
  void SetHealth(int status, std::string body);
  void SetExposition(int status, std::string content_type, std::string body);
  // From now on the /metrics body is script(n), n counting /metrics requests from 1: an
  // exposition that changes with every scrape (a climbing counter). Called under the server's
  // lock, so it must not call back into the server.
  void SetExpositionScript(std::function<std::string(uint64_t n)> script);
  // The Accept header of the last /metrics request ("" before the first).
  std::string last_accept() const;
  // Bytes the streaming routes managed to write before the client went away.
  uint64_t streamed_bytes() const { return streamed_bytes_.load(); }
  int hanging_requests() const { return hanging_.load(); }

 private:
  static int Handle(mg_connection* conn, void* self);
  int Serve(mg_connection* conn);

  mg_context* ctx_ = nullptr;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                                                     // GUARDED_BY(mu_)
  int health_status_ = 200;                                                   // GUARDED_BY(mu_)
  std::string health_body_ = R"({"ok":true})";                                // GUARDED_BY(mu_)
  int exposition_status_ = 200;                                               // GUARDED_BY(mu_)
  std::string exposition_type_ = "text/plain; version=0.0.4; charset=utf-8";  // GUARDED_BY(mu_)
  std::string exposition_body_;                                               // GUARDED_BY(mu_)
  std::function<std::string(uint64_t)> exposition_script_;                    // GUARDED_BY(mu_)
  uint64_t exposition_requests_ = 0;                                          // GUARDED_BY(mu_)
  std::string last_accept_;                                                   // GUARDED_BY(mu_)
  std::atomic<uint64_t> streamed_bytes_{0};
  std::atomic<int> hanging_{0};
};

}  // namespace opswatch::testing
