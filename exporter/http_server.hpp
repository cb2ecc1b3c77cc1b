// A small HTTP server on CivetWeb serving only our handlers (no document_root: CivetWeb's CVEs
// sit in its file serving). Handlers are plain functions from request to reply, so routes are
// testable without a socket.
// Thread-safety: handlers run on CivetWeb's worker threads and must be thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.hpp"

struct mg_context;
struct mg_connection;

namespace opswatch {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;                            // up to 1 MiB
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::shared_ptr<const std::string> body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpReply Text(int status, std::string text);
  static HttpReply Json(int status, std::string json);
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Exact-path routes; register before Start().
  void Route(const std::string& path, HttpHandler handler);
  // `address` is Prometheus-style: ":10490", "0.0.0.0:10490", "127.0.0.1:0" (port 0 picks one).
  Status Start(const std::string& address, int threads = 4);
  void Stop();
  int port() const { return port_; }

 private:
  static int Dispatch(mg_connection* conn, void* self);
  std::map<std::string, HttpHandler> routes_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
};

// ":10490" -> "10490", "127.0.0.1:0" -> "127.0.0.1:0"; IPv6 addresses are rejected (Debian's
// CivetWeb is built without IPv6).
Result<std::string> ToCivetListeningPorts(const std::string& address);

}  // namespace opswatch
