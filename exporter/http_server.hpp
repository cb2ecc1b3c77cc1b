// A small HTTP server on CivetWeb serving only our handlers (no document_root: CivetWeb's CVEs
// sit in its file serving). Handlers are plain functions from request to reply, so routes are
// testable without a socket.
//
// Sized for hostile clients (HttpServerLimits): CivetWeb 1.15 gives each connection a worker
// thread from accept until it closes, so a connection that sends its request head slowly or not
// at all, or idles in keep-alive, holds a worker. The head must arrive whole within a few seconds,
// idle keep-alive connections are closed after a few seconds, each client address may hold only
// a few connections (refused at accept time, see accept_gate.hpp), and there are enough workers
// that a handful of such clients cannot starve a scrape. Debian builds CivetWeb with 100 KiB
// worker stacks: handlers must not recurse deeply (reloads run on the App's own thread).
// Thread-safety: handlers run on CivetWeb's worker threads and must be thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "exporter/accept_gate.hpp"

struct mg_context;
struct mg_connection;

namespace opswatch {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;                            // up to 1 MiB
  std::string remote_address;
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
// Runs around every handler, unknown paths included (authentication, response headers): it calls
// `next` or answers itself.
using HttpMiddleware = std::function<HttpReply(const HttpRequest&, const HttpHandler& next)>;

class TlsContextSwitch;

struct HttpServerLimits {
  // Worker threads (one per open connection). 128 x 100 KiB stacks: about 13 MiB of address
  // space, a few MiB resident.
  int worker_threads = 128;
  // Accepted connections waiting for a worker, and the kernel's queue before accept.
  int connection_queue = 64;
  int listen_backlog = 512;
  // The whole request head must arrive within this; also the longest stall while reading a body
  // or writing a reply.
  int request_timeout_ms = 5000;
  // An idle keep-alive connection is closed after this.
  int keep_alive_timeout_ms = 5000;
  // Open connections one client address may hold; more are answered 503 and closed.
  size_t max_connections_per_address = 16;
};

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Exact-path routes; register before Start().
  void Route(const std::string& path, HttpHandler handler);
  // Register before Start().
  void Use(HttpMiddleware middleware) { middleware_ = std::move(middleware); }
  // `address` is Prometheus-style: ":10490", "0.0.0.0:10490", "127.0.0.1:0" (port 0 picks one).
  // With `tls` the server speaks only HTTPS, with the contexts `tls` hands out; it must outlive
  // the server.
  Status Start(const std::string& address, const HttpServerLimits& limits = {},
               TlsContextSwitch* tls = nullptr);
  void Stop();
  int port() const { return port_; }

 private:
  static int Dispatch(mg_connection* conn, void* self);
  static int ProvideSslContext(void** ssl_ctx, void* self);
  HttpReply Serve(mg_connection* conn, HttpRequest& request);
  std::map<std::string, HttpHandler> routes_;
  HttpMiddleware middleware_;
  TlsContextSwitch* tls_ = nullptr;
  mg_context* ctx_ = nullptr;
  std::unique_ptr<AcceptGate> gate_;
  int port_ = 0;
};

// ":10490" -> "10490", "127.0.0.1:0" -> "127.0.0.1:0"; IPv6 addresses are rejected (Debian's
// CivetWeb is built without IPv6).
Result<std::string> ToCivetListeningPorts(const std::string& address);

}  // namespace opswatch
