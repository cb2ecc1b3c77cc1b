#include "notify/http_transport.hpp"

#include <algorithm>
#include <map>

#include "core/curl_handles.hpp"

namespace opswatch::notify {
namespace {

// Everything one request owns; lives until its outcome is collected.
struct Transfer {
  uint64_t id = 0;
  curl::EasyPtr easy;
  curl::SlistPtr headers;
  std::string body;
  std::string retry_after;
  std::string url;  // kept only to redact it from error text
};

size_t DiscardBody(char*, size_t size, size_t count, void*) { return size * count; }

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i) {
      match = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i]))) == kName[i];
    }
    if (match) {
      std::string value(line.substr(kName.size()));
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      transfer->retry_after = value;
    }
  }
  return size * count;
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport() : multi_(curl_multi_init()) {}
  ~CurlTransport() override {
    for (auto& [easy, transfer] : transfers_) curl_multi_remove_handle(multi_.get(), easy);
  }

  void Start(uint64_t id, HttpRequest request) override {
    auto transfer = std::make_unique<Transfer>();
    transfer->id = id;
    transfer->easy.reset(curl_easy_init());
    transfer->body = std::move(request.body);
    transfer->url = request.url.Reveal();
    CURL* easy = transfer->easy.get();
    bool listed = curl::Append(transfer->headers, "Content-Type: application/json") &&
                  curl::Append(transfer->headers, "User-Agent: opswatch") &&
                  curl::Append(transfer->headers, "Expect:");  // no 100-continue round trip
    for (const std::string& header : request.headers) {
      listed = listed && curl::Append(transfer->headers, header);
    }
    if (easy == nullptr || !listed) {
      // Out of memory: reported as a failed attempt at the next Poll, so the dispatcher retries.
      AttemptOutcome outcome;
      outcome.error = "cannot set up the request (out of memory)";
      not_started_.emplace_back(id, std::move(outcome));
      return;
    }
    curl_slist* list = transfer->headers.get();
    curl_easy_setopt(easy, CURLOPT_URL, transfer->url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, transfer->body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(transfer->body.size()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(
                         1, std::chrono::duration_cast<Millis>(request.timeout).count())));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &DiscardBody);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_multi_add_handle(multi_.get(), easy);
    transfers_[easy] = std::move(transfer);
  }

  std::vector<std::pair<uint64_t, AttemptOutcome>> Poll() override {
    int running = 0;
    curl_multi_perform(multi_.get(), &running);
    std::vector<std::pair<uint64_t, AttemptOutcome>> done = std::move(not_started_);
    not_started_.clear();
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      auto it = transfers_.find(easy);
      if (it == transfers_.end()) continue;
      AttemptOutcome outcome;
      CURLcode code = message->data.result;
      if (code == CURLE_OK) {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &outcome.status);
        outcome.retry_after = it->second->retry_after;
      } else {
        outcome.timed_out = code == CURLE_OPERATION_TIMEDOUT;
        // curl_easy_strerror is a fixed text per code; redact anyway in case that changes.
        outcome.error = RedactSecret(curl_easy_strerror(code), it->second->url);
      }
      double seconds = 0;
      curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &seconds);
      outcome.elapsed =
          std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
      curl_multi_remove_handle(multi_.get(), easy);
      done.emplace_back(it->second->id, std::move(outcome));
      transfers_.erase(it);
    }
    return done;
  }

  void Wait(Duration max) override {
    int ms = static_cast<int>(
        std::clamp<int64_t>(std::chrono::duration_cast<Millis>(max).count(), 0, 60'000));
    curl_multi_poll(multi_.get(), nullptr, 0, ms, nullptr);
  }

  void Wakeup() override { curl_multi_wakeup(multi_.get()); }

  size_t in_flight() const override { return transfers_.size() + not_started_.size(); }

 private:
  curl::GlobalGuard curl_global_;  // declared before `multi_`: outlives it
  curl::MultiPtr multi_;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::vector<std::pair<uint64_t, AttemptOutcome>> not_started_;  // failed in Start
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport() { return std::make_unique<CurlTransport>(); }

}  // namespace opswatch::notify
