#include "tests/support/recording_receiver.hpp"

#include <civetweb.h>

#include <boost/test/unit_test.hpp>
#include <cctype>

namespace opswatch::testing {

RecordingReceiver::RecordingReceiver() {
  const char* options[] = {"listening_ports",   "127.0.0.1:0", "num_threads", "16",
                           "enable_keep_alive", "yes",         nullptr};
  mg_callbacks callbacks{};
  ctx_ = mg_start(&callbacks, nullptr, options);
  BOOST_REQUIRE_MESSAGE(ctx_ != nullptr, "CivetWeb recording receiver did not start");
  mg_set_request_handler(ctx_, "/", &RecordingReceiver::Handle, this);
  mg_server_port ports[4] = {};
  int n = mg_get_server_ports(ctx_, 4, ports);
  BOOST_REQUIRE_MESSAGE(n >= 1 && ports[0].port > 0, "CivetWeb did not report its port");
  port_ = ports[0].port;
}

RecordingReceiver::~RecordingReceiver() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  mg_stop(ctx_);
}

std::string RecordingReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void RecordingReceiver::Script(const std::string& path, std::vector<ScriptedResponse> responses) {
  std::lock_guard lock(mu_);
  script_[path].assign(responses.begin(), responses.end());
}

std::vector<RecordedRequest> RecordingReceiver::Requests(const std::string& path) const {
  std::lock_guard lock(mu_);
  std::vector<RecordedRequest> out;
  for (const auto& r : requests_) {
    if (path.empty() || r.path == path) out.push_back(r);
  }
  return out;
}

bool RecordingReceiver::WaitForSuccesses(const std::string& path, size_t count,
                                         std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    size_t ok = 0;
    for (const auto& r : requests_) ok += (r.path == path && r.answered / 100 == 2) ? 1 : 0;
    return ok >= count;
  });
}

bool RecordingReceiver::WaitForRequests(const std::string& path, size_t count,
                                        std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    size_t seen = 0;
    for (const auto& r : requests_) seen += r.path == path ? 1 : 0;
    return seen >= count;
  });
}

int RecordingReceiver::Handle(mg_connection* conn, void* self) {
  return static_cast<RecordingReceiver*>(self)->Serve(conn);
}

int RecordingReceiver::Serve(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  RecordedRequest request;
  request.method = info->request_method ? info->request_method : "";
  request.path = info->local_uri ? info->local_uri : "";
  request.at = std::chrono::steady_clock::now();
  for (int i = 0; i < info->num_headers; ++i) {
    std::string name = info->http_headers[i].name;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[name] = info->http_headers[i].value;
  }
  char buffer[8192];
  int n;
  while ((n = mg_read(conn, buffer, sizeof buffer)) > 0) request.body.append(buffer, n);

  ScriptedResponse response;
  {
    std::unique_lock lock(mu_);
    auto& queue = script_[request.path];
    if (!queue.empty()) {
      response = queue.front();
      queue.pop_front();
    }
    if (!response.hang) request.answered = response.status;
    requests_.push_back(request);
    cv_.notify_all();  // WaitForRequests sees a hanging request too
    if (response.hang) {
      cv_.wait(lock, [this] { return stopping_; });
      return 0;  // never answered; the connection closes with the server
    }
  }
  std::string extra;
  if (!response.retry_after.empty()) extra = "Retry-After: " + response.retry_after + "\r\n";
  const char* body = "{}";
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n%sContent-Length: 2\r\n"
            "Connection: close\r\n\r\n%s",
            response.status, mg_get_response_code_text(conn, response.status), extra.c_str(), body);
  cv_.notify_all();
  return response.status;
}

}  // namespace opswatch::testing
