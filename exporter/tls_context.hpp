// The OpenSSL server context for a web config's tls_server_config, and the switch that lets
// certificates and settings change while the server runs.
//
// CivetWeb is handed one SSL_CTX at start (its external_ssl_ctx callback) and creates every
// connection's SSL from it. Rotation without a restart works like exporter-toolkit's
// GetConfigForClient: a ClientHello callback on that context moves each new connection to the
// newest context (SSL_set_SSL_CTX: certificate, key, chain, client CA names and verify store)
// and copies the per-connection settings SSL_set_SSL_CTX leaves alone (verify mode, protocol
// versions, TLS 1.2 cipher list). Connections already open keep what they negotiated.
// Thread-safety: TlsContextSwitch is thread-safe; the callback runs on CivetWeb's workers.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/config_reader.hpp"
#include "exporter/web_config.hpp"

struct ssl_ctx_st;

namespace opswatch {

// One immutable server context and the settings that must be copied onto each connection.
struct TlsServerContext {
  std::shared_ptr<ssl_ctx_st> ctx;
  int verify_mode = 0;
  bool verify_chain = false;  // false: accept any client certificate (Request/RequireAny)
  int min_version = 0;
  int max_version = 0;
  std::string cipher_list;  // TLS 1.2 and older; empty: OpenSSL's default
};

// Reads the certificate, key and client CA files of `tls` and builds a context. Problems go to
// `errors` at the position of the key that names the file; their text never contains file
// contents.
std::shared_ptr<const TlsServerContext> BuildTlsServerContext(const WebTlsConfig& tls,
                                                              const ConfigEnv& env,
                                                              ConfigErrors& errors);

class TlsContextSwitch {
 public:
  explicit TlsContextSwitch(std::shared_ptr<const TlsServerContext> initial);
  TlsContextSwitch(const TlsContextSwitch&) = delete;
  TlsContextSwitch& operator=(const TlsContextSwitch&) = delete;

  // The context CivetWeb creates connections from (the first one; it lives as long as this).
  ssl_ctx_st* base() const { return base_->ctx.get(); }
  // New connections use `next` from now on.
  void Set(std::shared_ptr<const TlsServerContext> next);
  std::shared_ptr<const TlsServerContext> Current() const;

 private:
  const std::shared_ptr<const TlsServerContext> base_;
  mutable std::mutex mu_;
  std::shared_ptr<const TlsServerContext> current_;  // GUARDED_BY(mu_)
};

}  // namespace opswatch
