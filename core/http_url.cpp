#include "core/http_url.hpp"

#include <memory>

#include "core/curl_handles.hpp"

namespace opswatch {
namespace {

std::optional<std::string> UrlPart(CURLU* url, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, 0) != CURLUE_OK) return std::nullopt;
  curl::StringPtr owned(raw);
  return std::string(raw);
}

}  // namespace

Result<HttpUrlParts> ParseHttpUrl(const std::string& url) {
  using Out = Result<HttpUrlParts>;
  curl::UrlPtr parsed(curl_url());
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
