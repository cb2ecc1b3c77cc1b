// Owning handles for libcurl objects, so every transfer, list and URL is freed on every path. The
// one definition for the http collector's probe loop, the notifier's transport and URL parsing.
// Thread-safety: as libcurl's: one handle is used by one thread at a time.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace opswatch::curl {

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct StringDeleter {
  void operator()(char* s) const { curl_free(s); }
};

using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;
using StringPtr = std::unique_ptr<char, StringDeleter>;  // what curl_url_get and friends return

// Appends to a list held by a SlistPtr, keeping ownership intact if the append fails.
inline bool Append(SlistPtr& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  (void)list.release();  // `grown` now owns the old nodes
  list.reset(grown);
  return true;
}

// Holds libcurl's global state for as long as a user of handles lives. curl_global_init and
// curl_global_cleanup are reference-counted in the libcurl versions we support, so the probe loop
// and the notifier each hold one.
class GlobalGuard {
 public:
  GlobalGuard() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~GlobalGuard() { curl_global_cleanup(); }
  GlobalGuard(const GlobalGuard&) = delete;
  GlobalGuard& operator=(const GlobalGuard&) = delete;
};

}  // namespace opswatch::curl
