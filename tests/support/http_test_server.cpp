#include "tests/support/http_test_server.hpp"

#include <civetweb.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <vector>

namespace opswatch::testing {
namespace {

void Reply(mg_connection* conn, int status, const std::string& content_type,
           const std::string& body) {
  mg_printf(
      conn,
      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
      status, mg_get_response_code_text(conn, status), content_type.c_str(), body.size());
  mg_write(conn, body.data(), body.size());
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

HttpTestServer::HttpTestServer() {
  const char* options[] = {"listening_ports",   "127.0.0.1:0", "num_threads", "32",
                           "enable_keep_alive", "yes",         nullptr};
  mg_callbacks callbacks{};
  ctx_ = mg_start(&callbacks, nullptr, options);
  BOOST_REQUIRE_MESSAGE(ctx_ != nullptr, "CivetWeb test server did not start");
  mg_set_request_handler(ctx_, "/", &HttpTestServer::Handle, this);
  mg_server_port ports_out[4] = {};
  int n = mg_get_server_ports(ctx_, 4, ports_out);
  BOOST_REQUIRE_MESSAGE(n >= 1 && ports_out[0].port > 0, "CivetWeb did not report its port");
  port_ = ports_out[0].port;
}

HttpTestServer::~HttpTestServer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  mg_stop(ctx_);
}

std::string HttpTestServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void HttpTestServer::SetHealth(int status, std::string body) {
  std::lock_guard lock(mu_);
  health_status_ = status;
  health_body_ = std::move(body);
}

void HttpTestServer::SetExposition(int status, std::string content_type, std::string body) {
  std::lock_guard lock(mu_);
  exposition_status_ = status;
  exposition_type_ = std::move(content_type);
  exposition_body_ = std::move(body);
}

void HttpTestServer::SetExpositionScript(std::function<std::string(uint64_t n)> script) {
  std::lock_guard lock(mu_);
  exposition_script_ = std::move(script);
}

std::string HttpTestServer::last_accept() const {
  std::lock_guard lock(mu_);
  return last_accept_;
}

int HttpTestServer::Handle(mg_connection* conn, void* self) {
  return static_cast<HttpTestServer*>(self)->Serve(conn);
}

int HttpTestServer::Serve(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  std::string uri = info->local_uri ? info->local_uri : "";
  if (uri == "/health") {
    int status;
    std::string body;
    {
      std::lock_guard lock(mu_);
      status = health_status_;
      body = health_body_;
    }
    Reply(conn, status, "application/json", body);
    return status;
  }
  if (uri == "/status/500" || uri == "/status/404") {
    int status = std::stoi(uri.substr(8));
    Reply(conn, status, "application/json", R"({"ok":false})");
    return status;
  }
  if (uri == "/invalid-json") {
    Reply(conn, 200, "application/json", R"({"ok":true,)");
    return 200;
  }
  if (uri == "/hang") {
    ++hanging_;
    std::unique_lock lock(mu_);
    stop_cv_.wait(lock, [this] { return stopping_; });
    --hanging_;
    return 500;
  }
  if (uri == "/big" || uri == "/big-unannounced") {
    const uint64_t total = uint64_t(1) << 30;
    if (uri == "/big") {
      mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\nConnection: close\r\n\r\n",
                static_cast<unsigned long long>(total));
    } else {
      mg_printf(conn, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    }
    std::vector<char> block(64 * 1024, '0');
    for (uint64_t sent = 0; sent < total; sent += block.size()) {
      if (mg_write(conn, block.data(), block.size()) <= 0) break;
      streamed_bytes_ += block.size();
    }
    return 200;
  }
  if (uri == "/endless") {
    mg_printf(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    std::vector<char> block(16 * 1024, '{');
    while (mg_send_chunk(conn, block.data(), unsigned(block.size())) > 0) {
      streamed_bytes_ += block.size();
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    return 200;
  }
  if (uri == "/redirect-file" || uri == "/redirect-health") {
    const char* location = uri == "/redirect-file" ? "file:///etc/passwd" : "/health";
    mg_printf(conn,
              "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: "
              "close\r\n\r\n",
              location);
    return 302;
  }
  if (uri == "/metrics") {
    const char* accept = mg_get_header(conn, "Accept");
    int status;
    std::string content_type;
    std::string body;
    {
      std::lock_guard lock(mu_);
      last_accept_ = accept ? accept : "";
      status = exposition_status_;
      content_type = exposition_type_;
      ++exposition_requests_;
      body = exposition_script_ ? exposition_script_(exposition_requests_) : exposition_body_;
    }
    Reply(conn, status, content_type, body);
    return status;
  }
  if (uri == "/echo-auth") {
    const char* auth = mg_get_header(conn, "Authorization");
    Reply(conn, 200, "application/json",
          R"({"authorization":")" + JsonEscape(auth ? auth : "") + "\"}");
    return 200;
  }
  Reply(conn, 404, "text/plain", "not found");
  return 404;
}

}  // namespace opswatch::testing
