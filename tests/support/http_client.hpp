// A small blocking HTTP client for tests (libcurl easy interface).
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace opswatch::testing {

struct HttpResponse {
  long status = 0;                             // 0 when the request failed
  std::string error;                           // transport error text
  std::string body;                            // decoded (gzip is undone when accept_gzip)
  std::map<std::string, std::string> headers;  // lower-cased names
};

HttpResponse HttpGet(const std::string& url, const std::map<std::string, std::string>& headers = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
HttpResponse HttpPost(const std::string& url, const std::string& body,
                      const std::map<std::string, std::string>& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace opswatch::testing
