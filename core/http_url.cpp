#include "core/http_url.hpp"

#include <curl/curl.h>

#include <memory>

namespace opswatch {
namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};

std::optional<std::string> UrlPart(CURLU* url, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, 0) != CURLUE_OK) return std::nullopt;
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return std::string(raw);
}

}  // namespace

Result<HttpUrlParts> ParseHttpUrl(const std::string& url) {
  using Out = Result<HttpUrlParts>;
  std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
  if (!parsed) return Out::Error("out of memory");
  // No CURLU_NON_SUPPORT_SCHEME and no CURLU_ALLOW_SPACE: what curl cannot fetch is refused.
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return Out::Error("not a valid URL");
  }
  HttpUrlParts parts;
  auto scheme = UrlPart(parsed.get(), CURLUPART_SCHEME);
  if (!scheme || (*scheme != "http" && *scheme != "https")) {
    return Out::Error("only http:// and https:// URLs are supported");
  }
  parts.scheme = *scheme;
  auto host = UrlPart(parsed.get(), CURLUPART_HOST);
  if (!host || host->empty()) return Out::Error("URL has no host");
  parts.host = *host;
  parts.port = UrlPart(parsed.get(), CURLUPART_PORT);
  parts.path = UrlPart(parsed.get(), CURLUPART_PATH).value_or("/");
  return parts;
}

}  // namespace opswatch
