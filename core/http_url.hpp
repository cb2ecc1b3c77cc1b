// Checking an http:// or https:// URL from the config with libcurl's own URL parser (the one that
// will fetch it), so a URL that passes --config.check is one the request accepts: "http://[::1"
// or a URL with a space fails at load, not at the first request.
// Errors never echo the URL: it may carry credentials (webhook tokens, user:password@).
// Thread-safety: thread-safe (no shared state).
#pragma once

#include <optional>
#include <string>

#include "core/status.hpp"

namespace opswatch {

struct HttpUrlParts {
  std::string scheme;  // "http" or "https"
  std::string host;
  std::optional<std::string> port;  // only when written in the URL
  std::string path;                 // "/" when the URL has none
};

Result<HttpUrlParts> ParseHttpUrl(const std::string& url);

}  // namespace opswatch
