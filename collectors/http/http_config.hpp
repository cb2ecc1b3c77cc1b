// The http collector's config (README: `type: http`) and its strict parser.
// Thread-safety: value types; the parser is not thread-safe (config loading is single-threaded).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collectors/check_config.hpp"
#include "collectors/check_expr.hpp"
#include "collectors/collector.hpp"
#include "collectors/tls_client_config.hpp"
#include "core/secret.hpp"

namespace opswatch {

struct HttpTarget {
  Secret url;         // as configured; may carry credentials or a token in its query string
  std::string label;  // scheme://host[:port]/path, without credentials, query or fragment
  bool https = false;
};

struct HttpHeader {
  std::string name;
  Secret value;  // header values are treated as secrets: never logged or exported
};

struct HttpStatusRange {
  long low = 200;
  long high = 299;
};

using HttpExport = JsonExport;

struct HttpConfig {
  std::vector<HttpTarget> targets;
  std::string method = "GET";
  std::vector<HttpHeader> headers;
  std::string body;
  std::vector<HttpStatusRange> expect_status{{200, 299}};
  std::vector<CheckExpr> checks;
  std::vector<HttpExport> exports;
  uint64_t body_limit = 1024 * 1024;
  Millis timeout{10000};
  bool follow_redirects = false;
  TlsClientConfig tls;
  std::optional<double> slow_seconds;             // thresholds.slow
  double cert_expiry_seconds = 14 * 24 * 3600.0;  // thresholds.cert_expiry
};

// At most this many redirects are followed when follow_redirects is on.
inline constexpr long kHttpMaxRedirects = 5;

// Reads the http-specific keys. Records problems in reader.errors(); nullopt on any.
// The registry's parser: ParseHttpConfig plus the thresholds and the factory.
std::optional<ParsedCollector> ParseHttpCollector(MapReader& reader, const CollectorIdentity& id);

std::optional<HttpConfig> ParseHttpConfig(MapReader& reader, const CollectorIdentity& id);

// The metric label for a URL: scheme://host[:port]/path (no userinfo, query or fragment), or an
// error when the URL is not a valid http(s) URL.
Result<std::string> HttpTargetLabel(const std::string& url);

bool HttpStatusExpected(const HttpConfig& config, long status);

}  // namespace opswatch
