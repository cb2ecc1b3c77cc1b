#include "exporter/http_server.hpp"

#include <civetweb.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "exporter/civetweb_tls.hpp"
#include "exporter/socket_shutdown.hpp"
#include "exporter/tls_context.hpp"

namespace opswatch {
namespace {

constexpr size_t kMaxRequestBody = 1 << 20;
constexpr size_t kCoalesceBodyBytes = 64 << 10;

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

// The connection ends after this request: the client said "close", or spoke HTTP/1.0 without
// asking for keep-alive.
bool WillClose(const HttpRequest& request, const char* http_version) {
  std::string connection = request.Header("connection");
  std::transform(connection.begin(), connection.end(), connection.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (connection.find("close") != std::string::npos) return true;
  return http_version != nullptr && std::string_view(http_version) == "1.0" &&
         connection.find("keep-alive") == std::string::npos;
}

}  // namespace

HttpReply HttpReply::Text(int status, std::string text) {
  HttpReply reply;
  reply.status = status;
  reply.body = std::make_shared<const std::string>(std::move(text));
  return reply;
}

HttpReply HttpReply::Json(int status, std::string json) {
  HttpReply reply;
  reply.status = status;
  reply.content_type = "application/json";
  reply.body = std::make_shared<const std::string>(std::move(json));
  return reply;
}

Result<std::string> ToCivetListeningPorts(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || address.find('[') != std::string::npos ||
      address.find(':') != colon) {
    return Result<std::string>::Error("invalid listen address \"" + address +
                                      "\" (use host:port or :port; IPv6 is not supported)");
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(c); }) ||
      std::stoi(port) > 65535) {
    return Result<std::string>::Error("invalid port in listen address \"" + address + "\"");
  }
  if (host.empty() || host == "0.0.0.0") return port;
  return host + ":" + port;
}

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(const std::string& path, HttpHandler handler) {
  routes_[path] = std::move(handler);
}

Status HttpServer::Start(const std::string& address, const HttpServerLimits& limits,
                         TlsContextSwitch* tls) {
  auto ports = ToCivetListeningPorts(address);
  if (!ports) return ports.status();
  tls_ = tls;
  if (tls_) {
    // Starting HTTPS when CivetWeb's TLS did not initialise would crash on the first handshake.
    Status ready = InitCivetWebTls();
    if (!ready.ok()) return Status::Error("cannot serve HTTPS: " + ready.message());
  }
  const std::vector<std::pair<std::string, std::string>> settings = {
      {"listening_ports", *ports + (tls_ ? "s" : "")},
      {"num_threads", std::to_string(limits.worker_threads)},
      {"connection_queue", std::to_string(limits.connection_queue)},
      {"listen_backlog", std::to_string(limits.listen_backlog)},
      {"request_timeout_ms", std::to_string(limits.request_timeout_ms)},
      {"enable_keep_alive", "yes"},
      {"keep_alive_timeout_ms", std::to_string(limits.keep_alive_timeout_ms)},
      // Without it, Nagle's algorithm meets the client's delayed ACK and a small scrape takes
      // 40 ms.
      {"tcp_nodelay", "1"}};
  std::vector<const char*> options;
  for (const auto& [name, value] : settings) {
    options.push_back(name.c_str());
    options.push_back(value.c_str());
  }
  options.push_back(nullptr);
  mg_callbacks callbacks{};
  if (tls_) callbacks.external_ssl_ctx = &HttpServer::ProvideSslContext;
  mg_init_library(0);
  ctx_ = mg_start(&callbacks, this, options.data());
  if (!ctx_) {
    return Status::Error("cannot listen on " + address + " (address in use or not permitted)");
  }
  mg_set_request_handler(ctx_, "/", &HttpServer::Dispatch, this);
  mg_server_port server_ports[4]{};
  int n = mg_get_server_ports(ctx_, 4, server_ports);
  port_ = n > 0 ? server_ports[0].port : 0;
  auto gate = AcceptGate::Install(port_, limits.max_connections_per_address);
  if (!gate) {
    Stop();
    return Status::Error("cannot serve on " + address + ": " + gate.error());
  }
  gate_ = std::move(*gate);
  return Status::Ok();
}

void HttpServer::Stop() {
  gate_.reset();
  if (!ctx_) return;
  // mg_stop raises the stop flag and joins CivetWeb's threads, which notice the flag only when
  // their poll() returns; shutting the sockets down (repeatedly, for connections accepted
  // meanwhile) makes it return at once instead of after up to 2 s.
  std::atomic<bool> stopped{false};
  std::thread stopper([this, &stopped] {
    mg_stop(ctx_);
    stopped = true;
  });
  while (!stopped) {
    ShutdownSocketsOnLocalPort(port_);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stopper.join();
  ctx_ = nullptr;
}

int HttpServer::ProvideSslContext(void** ssl_ctx, void* self_ptr) {
  auto* self = static_cast<HttpServer*>(self_ptr);
  // Called with NULL when CivetWeb creates its context and with it when freeing it: 1 means
  // "use this one" and "do not free it" (TlsContextSwitch owns it).
  if (*ssl_ctx == nullptr) *ssl_ctx = self->tls_->base();
  return 1;
}

HttpReply HttpServer::Serve(mg_connection* conn, HttpRequest& request) {
  auto route = routes_.find(request.path);
  if (route == routes_.end()) {
    static const HttpHandler kNotFound = [](const HttpRequest&) {
      return HttpReply::Text(404, "404 page not found\n");
    };
    return middleware_ ? middleware_(request, kNotFound) : kNotFound(request);
  }
  if (request.method == "POST" || request.method == "PUT") {
    char buf[8192];
    int n;
    while ((n = mg_read(conn, buf, sizeof buf)) > 0) {
      if (request.body.size() + n > kMaxRequestBody) {
        return HttpReply::Text(413, "request body too large\n");
      }
      request.body.append(buf, n);
    }
  }
  try {
    return middleware_ ? middleware_(request, route->second) : route->second(request);
  } catch (const std::exception& e) {
    return HttpReply::Text(500, std::string("internal error: ") + e.what() + "\n");
  }
}

int HttpServer::Dispatch(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<HttpServer*>(self_ptr);
  const mg_request_info* info = mg_get_request_info(conn);
  HttpRequest request;
  request.method = info->request_method ? info->request_method : "";
  request.path = info->local_uri ? info->local_uri : "";
  request.query = info->query_string ? info->query_string : "";
  request.remote_address = info->remote_addr;
  for (int i = 0; i < info->num_headers; ++i) {
    std::string name = info->http_headers[i].name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    request.headers[name] = info->http_headers[i].value;
  }
  HttpReply reply = self->Serve(conn, request);
  static const std::string kNoBody;
  const std::string& body = reply.body ? *reply.body : kNoBody;
  std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " " + ReasonPhrase(reply.status) +
                     "\r\nContent-Type: " + reply.content_type +
                     "\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nCache-Control: no-store\r\n";
  for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
  // CivetWeb closes the connection after this reply when the client asked for that; saying so
  // keeps the client from sending its next request on it (over TLS, curl then saw the server's
  // close_notify as a dead connection and some transfers failed).
  if (WillClose(request, info->http_version)) head += "Connection: close\r\n";
  head += "\r\n";
  bool send_body = request.method != "HEAD";
  if (send_body && body.size() <= kCoalesceBodyBytes) {
    // One write for head and body: one segment for small replies.
    head += body;
    send_body = false;
  }
  mg_write(conn, head.data(), head.size());
  // A large body is written from the shared buffer, not copied behind the head.
  if (send_body) mg_write(conn, body.data(), body.size());
  return static_cast<int>(reply.status);
}

}  // namespace opswatch
