// --web.config.file: TLS, client certificates, basic auth and response headers in the format of
// Prometheus's exporter-toolkit (web-config.yml), so a file written for node_exporter works here.
//
// Read strictly like opswatch.yml (core/config_reader): unknown keys are errors, and so are the
// exporter-toolkit keys opswatch does not implement (inline `cert`/`key`/`client_ca`,
// `curve_preferences`, `client_allowed_sans`, `rate_limit`), each with file:line:col. Relative
// paths are relative to the web-config file's directory, as in exporter-toolkit. This file only
// checks the text; loading the certificates is tls_context.hpp's job (it reports its problems at
// the positions kept in FileRef).
// Thread-safety: pure functions; WebConfig is a value.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config_reader.hpp"
#include "core/secret.hpp"

namespace opswatch {

// exporter-toolkit's client_auth_type values, named as Go's crypto/tls names them.
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,           // asked for, not required, not verified
  kRequireAnyClientCert,        // required, not verified
  kVerifyClientCertIfGiven,     // verified when given
  kRequireAndVerifyClientCert,  // required and verified
};

// A file named in the web config, with the position of its value for error messages.
struct FileRef {
  std::string path;  // absolute or relative to the process; empty when not set
  std::string key;   // "tls_server_config.cert_file"
  int line = 0;
  int column = 0;
};

struct WebTlsConfig {
  FileRef cert_file;
  FileRef key_file;
  FileRef client_ca_file;
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  // Wire version numbers (0x0301 TLS 1.0 ... 0x0304 TLS 1.3), which are also OpenSSL's constants.
  uint16_t min_version = 0x0303;
  uint16_t max_version = 0x0304;
  // OpenSSL's names of the TLS 1.2 suites listed by their IANA names; empty: OpenSSL's default.
  // As in Go, TLS 1.3 suites are not configurable.
  std::vector<std::string> openssl_cipher_names;
  bool prefer_server_cipher_suites = true;
};

struct WebConfig {
  bool tls_enabled = false;
  WebTlsConfig tls;
  std::map<std::string, Secret> users;  // user name -> bcrypt hash
  std::vector<std::pair<std::string, std::string>> headers;
};

// Parses the text of a web-config file found at `file`. Problems go to `errors`.
WebConfig ParseWebConfig(const std::string& file, std::string_view text, ConfigErrors& errors,
                         const ConfigEnv& env);

// The security headers exporter-toolkit lets a web config set, and the values it allows (empty:
// any value).
const std::map<std::string, std::vector<std::string>>& AllowedWebHeaders();

// True for "$2a$", "$2b$" and "$2y$" bcrypt hashes with a cost of 4..31 and 53 characters of
// salt and hash.
bool IsBcryptHash(const std::string& hash);

}  // namespace opswatch
