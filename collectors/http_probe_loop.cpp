#include "collectors/http_probe_loop.hpp"

#include <atomic>
#include <cstring>
#include <ctime>
#include <map>

#include "core/curl_handles.hpp"

namespace opswatch {
namespace {}  // namespace

std::optional<double> ParseCertDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%b %d %H:%M:%S %Y GMT", &tm);
  if (end == nullptr) return std::nullopt;
  return double(timegm(&tm));
}

// One transfer in flight. Owned by the loop thread from start to callback.
struct Transfer {
  curl::EasyPtr easy;
  curl::SlistPtr headers;
  curl::SlistPtr connect_to;
  HttpProbeRequest request;
  HttpProbeLoop::Callback done;
  HttpProbeResponse response;
  std::string effective_url;  // the URL given to curl (after a server_name rewrite)
  bool over_limit = false;
  char error_buffer[CURL_ERROR_SIZE] = {0};

  // Caps the body here, where the bytes arrive: once past the limit the transfer is aborted, so
  // a 1 GB or endless response costs at most body_limit of memory.
  static size_t Write(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    size_t n = size * count;
    self->response.body_bytes += n;
    if (self->response.body.size() + n > self->request.body_limit) {
      self->over_limit = true;
      return 0;  // CURLE_WRITE_ERROR
    }
    self->response.body.append(data, n);
    return n;
  }

  // Text safe to show: libcurl errors may echo what we passed in.
  std::string Redact(std::string text) const {
    text = RedactSecret(std::move(text), request.url.Reveal());
    text = RedactSecret(std::move(text), effective_url);
    for (const auto& [name, value] : request.headers)
      text = RedactSecret(std::move(text), value.Reveal());
    return text;
  }
};

struct HttpProbeLoop::Impl {
  explicit Impl(Logger& l) : logger(l) { multi.reset(curl_multi_init()); }

  Logger& logger;
  curl::GlobalGuard curl_global;  // declared before `multi`: outlives it
  curl::MultiPtr multi;

  std::mutex mu;
  std::vector<std::pair<HttpProbeRequest, Callback>> pending;  // GUARDED_BY(mu)
  bool stopping = false;                                       // GUARDED_BY(mu)

  std::map<CURL*, std::unique_ptr<Transfer>> active;  // loop thread only

  void Run();
  void Start(HttpProbeRequest request, Callback done);
  void Finish(CURL* easy, CURLcode code);
};

namespace {

// Rewrites the URL's host to `server_name` and pins the connection to the original host, so SNI,
// certificate verification and the Host header use server_name while the TCP peer stays the same.
std::optional<std::string> ApplyServerName(const std::string& url, const std::string& server_name,
                                           curl::SlistPtr& connect_to) {
  curl::UrlPtr parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  char* host_raw = nullptr;
  char* port_raw = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_HOST, &host_raw, 0) != CURLUE_OK) return std::nullopt;
  curl::StringPtr host(host_raw);
  if (curl_url_get(parsed.get(), CURLUPART_PORT, &port_raw, CURLU_DEFAULT_PORT) != CURLUE_OK) {
    return std::nullopt;
  }
  curl::StringPtr port(port_raw);
  if (curl_url_set(parsed.get(), CURLUPART_HOST, server_name.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  char* rewritten_raw = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_URL, &rewritten_raw, 0) != CURLUE_OK)
    return std::nullopt;
  curl::StringPtr rewritten(rewritten_raw);
  if (!curl::Append(connect_to,
                    server_name + ":" + port.get() + ":" + host.get() + ":" + port.get())) {
    return std::nullopt;
  }
  return std::string(rewritten.get());
}

}  // namespace

void HttpProbeLoop::Impl::Start(HttpProbeRequest request, Callback done) {
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  t->easy.reset(curl_easy_init());
  const HttpProbeRequest& r = t->request;
  auto fail = [&](std::string error) {
    t->response.error = std::move(error);
    t->done(std::move(t->response));
  };
  if (!t->easy) return fail("cannot create a curl handle");
  CURL* easy = t->easy.get();
  t->effective_url = r.url.Reveal();
  if (!r.tls.server_name.empty()) {
    auto rewritten = ApplyServerName(r.url.Reveal(), r.tls.server_name, t->connect_to);
    if (!rewritten) return fail("cannot apply tls.server_name to the URL");
    t->effective_url = *rewritten;
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, t->connect_to.get());
  }
  for (const auto& [name, value] : r.headers) {
    if (!curl::Append(t->headers, name + ": " + value.Reveal())) return fail("out of memory");
  }
  curl_easy_setopt(easy, CURLOPT_URL, t->effective_url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(r.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(r.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "opswatch");
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers.get());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::Write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error_buffer);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
  // Rejects early when the server announces a length above the limit; the write callback covers
  // chunked and lying servers.
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(r.body_limit));
  if (!r.accept_encoding.empty()) {
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, r.accept_encoding.c_str());
  }
  if (r.max_redirects > 0) {
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, r.max_redirects);
  }
  if (r.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (r.method == "POST" || !r.body.empty()) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(r.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.c_str());
    if (r.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  } else if (r.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  if (t->effective_url.rfind("https:", 0) == 0) curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
  if (!r.tls.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, r.tls.ca_file.c_str());
  if (!r.tls.cert_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLCERT, r.tls.cert_file.c_str());
  if (!r.tls.key_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, r.tls.key_file.c_str());
  if (r.tls.insecure_skip_verify) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  CURLMcode added = curl_multi_add_handle(multi.get(), easy);
  if (added != CURLM_OK)
    return fail(std::string("cannot start probe: ") + curl_multi_strerror(added));
  active.emplace(easy, std::move(t));
}

void HttpProbeLoop::Impl::Finish(CURL* easy, CURLcode code) {
  auto it = active.find(easy);
  if (it == active.end()) return;
  std::unique_ptr<Transfer> t = std::move(it->second);
  active.erase(it);
  curl_multi_remove_handle(multi.get(), easy);
  HttpProbeResponse& out = t->response;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &out.status);
  const char* content_type = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK &&
      content_type != nullptr) {
    out.content_type = content_type;
  }
  curl_off_t total_us = 0;
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
  out.duration_seconds = double(total_us) / 1e6;
  curl_certinfo* certs = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &certs) == CURLE_OK && certs != nullptr &&
      certs->num_of_certs > 0) {
    for (curl_slist* line = certs->certinfo[0]; line != nullptr; line = line->next) {
      static constexpr char kExpire[] = "Expire date:";
      if (std::strncmp(line->data, kExpire, sizeof(kExpire) - 1) == 0) {
        out.cert_not_after = ParseCertDate(line->data + sizeof(kExpire) - 1);
      }
    }
  }
  if (t->over_limit || code == CURLE_FILESIZE_EXCEEDED) {
    out.error = "body exceeds body_limit (" + std::to_string(t->request.body_limit) + " bytes)";
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    out.error = "timed out after " + FormatDuration(t->request.timeout);
  } else if (code != CURLE_OK) {
    std::string detail = t->error_buffer[0] != '\0' ? t->error_buffer : curl_easy_strerror(code);
    out.error = t->Redact(detail);
  } else {
    out.completed = true;
  }
  if (!out.completed) out.body.clear();  // a partial body is not evaluated
  t->done(std::move(out));
}

void HttpProbeLoop::Impl::Run() {
  while (true) {
    std::vector<std::pair<HttpProbeRequest, Callback>> starting;
    {
      std::lock_guard lock(mu);
      if (stopping) break;
      starting.swap(pending);
    }
    for (auto& [request, done] : starting) Start(std::move(request), std::move(done));
    int running = 0;
    curl_multi_perform(multi.get(), &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
      if (msg->msg == CURLMSG_DONE) Finish(msg->easy_handle, msg->data.result);
    }
    // Wakes on socket activity, a curl timer, or curl_multi_wakeup from Submit/stop.
    curl_multi_poll(multi.get(), nullptr, 0, 1000, nullptr);
  }
  for (auto& [easy, transfer] : active) {
    curl_multi_remove_handle(multi.get(), easy);
    transfer->response.error = "probe loop stopped";
    transfer->done(std::move(transfer->response));
  }
  active.clear();
  std::vector<std::pair<HttpProbeRequest, Callback>> left;
  {
    std::lock_guard lock(mu);
    left.swap(pending);
  }
  for (auto& [request, done] : left) {
    HttpProbeResponse response;
    response.error = "probe loop stopped";
    done(std::move(response));
  }
}

HttpProbeLoop::HttpProbeLoop(Logger& logger) : impl_(std::make_unique<Impl>(logger)) {
  thread_ = std::thread([this] { impl_->Run(); });
}

HttpProbeLoop::~HttpProbeLoop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  curl_multi_wakeup(impl_->multi.get());
  thread_.join();
}

void HttpProbeLoop::Submit(HttpProbeRequest request, Callback done) {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stopping) {
      impl_->pending.emplace_back(std::move(request), std::move(done));
      curl_multi_wakeup(impl_->multi.get());
      return;
    }
  }
  HttpProbeResponse response;
  response.error = "probe loop stopped";
  done(std::move(response));
}

}  // namespace opswatch
