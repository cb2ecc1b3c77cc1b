// A webhook receiver for delivery tests: an in-process CivetWeb server on 127.0.0.1 (port 0) that
// records every request (path, body, headers, arrival time) and answers from a per-path script:
// Script("/hook", {{503}, {503}}) answers 503 twice, then the default 200. A response may carry
// Retry-After, or hang (accept and never answer until the server stops).
// Thread-safety: thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

struct mg_context;
struct mg_connection;

namespace opswatch::testing {

struct ScriptedResponse {
  ScriptedResponse(int status_ = 200, std::string retry_after_ = "", bool hang_ = false)
      : status(status_), retry_after(std::move(retry_after_)), hang(hang_) {}
  int status = 200;
  std::string retry_after;  // sent as Retry-After when not empty
  bool hang = false;
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::chrono::steady_clock::time_point at;
  int answered = 0;  // the status we answered (0 while hanging)
};

class RecordingReceiver {
 public:
  // Starts or aborts the test (BOOST_REQUIRE) when it cannot.
  RecordingReceiver();
  ~RecordingReceiver();  // releases hanging requests, then stops
  RecordingReceiver(const RecordingReceiver&) = delete;
  RecordingReceiver& operator=(const RecordingReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const;
  void Script(const std::string& path, std::vector<ScriptedResponse> responses);
  // Every request so far to `path` ("" = any path).
  std::vector<RecordedRequest> Requests(const std::string& path = "") const;
  // Waits until `count` requests to `path` were answered 2xx, or `timeout`; true when reached.
  bool WaitForSuccesses(const std::string& path, size_t count, std::chrono::milliseconds timeout);
  // Waits until `count` requests to `path` arrived (answered or hanging), or `timeout`.
  bool WaitForRequests(const std::string& path, size_t count, std::chrono::milliseconds timeout);

 private:
  static int Handle(mg_connection* conn, void* self);
  int Serve(mg_connection* conn);

  mg_context* ctx_ = nullptr;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                                       // GUARDED_BY(mu_)
  std::map<std::string, std::deque<ScriptedResponse>> script_;  // GUARDED_BY(mu_)
  std::vector<RecordedRequest> requests_;                       // GUARDED_BY(mu_)
};

}  // namespace opswatch::testing
