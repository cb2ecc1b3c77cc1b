// The real binary against hostile HTTP clients and files: reloads of deeply nested but valid
// rule files over HTTP, methods other than POST on /-/reload, clients that send their request
// head slowly or never, many connections from one address, Accept-Encoding weights, and the
// memory /api/v1/rules keeps after many calls.
//
// The clients here speak HTTP over raw sockets so they can misbehave, and so a client can bind
// to another loopback address (127.0.0.2) than the abusers (127.0.0.1): the per-address cap must
// not hide the result.
#define BOOST_TEST_MODULE http_hardening
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "core/unique_fd.hpp"
#include "tests/support/opswatch_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch;
using namespace opswatch::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kAbuser = "127.0.0.1";
constexpr const char* kBystander = "127.0.0.2";

using Socket = std::unique_ptr<UniqueFd>;  // UniqueFd is not movable

// A TCP connection to 127.0.0.1:port from `source`; non-blocking connect when `wait` is false.
Socket ConnectFrom(const std::string& source, int port, bool wait = true) {
  auto fd = std::make_unique<UniqueFd>(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  BOOST_REQUIRE(fd->get() >= 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  BOOST_REQUIRE(bind(fd->get(), reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
  if (!wait) fcntl(fd->get(), F_SETFL, O_NONBLOCK);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  int rc = connect(fd->get(), reinterpret_cast<sockaddr*>(&server), sizeof server);
  BOOST_REQUIRE(rc == 0 || (!wait && errno == EINPROGRESS));
  return fd;
}

struct RawResponse {
  int status = 0;  // 0: no status line before the connection closed or the time ran out
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

RawResponse ParseResponse(const std::string& raw) {
  RawResponse response;
  size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return response;
  response.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  std::istringstream lines(raw.substr(0, head_end));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r ") + 1);
    response.headers[name] = value;
  }
  response.body = raw.substr(head_end + 4);
  return response;
}

// Sends one request with "Connection: close" from `source` and reads the reply to its end.
RawResponse Exchange(int port, const std::string& method, const std::string& path,
                     const std::string& extra_headers = "", const std::string& source = kBystander,
                     std::chrono::milliseconds timeout = 10s) {
  Socket fd = ConnectFrom(source, port);
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: opswatch\r\n" + extra_headers +
                        "Content-Length: 0\r\nConnection: close\r\n\r\n";
  if (send(fd->get(), request.data(), request.size(), MSG_NOSIGNAL) < 0) return {};
  std::string raw;
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    pollfd p{fd->get(), POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) continue;
    char buf[65536];
    ssize_t n = recv(fd->get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  return ParseResponse(raw);
}

// Seconds one GET /metrics from the bystander address takes; fails the test on a bad answer.
double ScrapeSeconds(int port) {
  auto start = Clock::now();
  RawResponse response = Exchange(port, "GET", "/metrics");
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  BOOST_TEST(response.status == 200);
  return seconds;
}

// True once the server has closed (or reset) this connection.
bool ClosedByServer(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  char buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  while (n > 0) n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

std::string BaseConfig(const TempDir& dir) {
  return "global:\n  interval: 1s\n  timeout: 500ms\n  evaluation_interval: 1s\n  state_dir: " +
         dir.Join("state") + "\ncollectors:\n  - name: root-disk\n    type: disk\n    paths: [/]\n";
}

std::string RuleFile(const std::string& expr, const std::string& summary = "ok") {
  return "groups:\n  - name: deep\n    rules:\n      - alert: Deep\n        expr: '" + expr +
         "'\n        annotations:\n          summary: '" + summary + "'\n";
}

std::string Repeat(const std::string& text, int times, const std::string& separator = "") {
  std::string out;
  for (int i = 0; i < times; ++i) out += (i ? separator : "") + text;
  return out;
}

}  // namespace

// Each file below loaded fine at start and via SIGHUP but killed the process (SIGSEGV) on
// POST /-/reload, which then ran on a server thread with a 100 KiB stack. Whatever the parsers
// decide about such files, the answer must be the one --config.check gives, and the process
// must live.
BOOST_AUTO_TEST_CASE(reload_over_http_of_deeply_nested_files_answers_and_survives) {
  TempDir dir;
  std::string config = dir.Write("opswatch.yml", BaseConfig(dir) + "rule_files: [rules.yml]\n");
  dir.Write("rules.yml", RuleFile("vector(1)"));
  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 30s));

  struct Variant {
    std::string name;
    std::string rules;
    std::string config_suffix;
  };
  const std::vector<Variant> variants = {
      {"200-term or chain", RuleFile(Repeat("vector(1)", 200, " or ")), ""},
      {"200 nested parentheses", RuleFile(Repeat("(", 200) + "vector(1)" + Repeat(")", 200)), ""},
      {"100 nested if",
       RuleFile("vector(1)", Repeat("{{ if true }}", 100) + "x" + Repeat("{{ end }}", 100)), ""},
      {"300 levels of YAML nesting", RuleFile("vector(1)"),
       "extra: " + Repeat("[", 300) + Repeat("]", 300) + "\n"},
  };
  for (const Variant& variant : variants) {
    BOOST_TEST_CONTEXT(variant.name) {
      dir.Write("rules.yml", variant.rules);
      dir.Write("opswatch.yml",
                BaseConfig(dir) + "rule_files: [rules.yml]\n" + variant.config_suffix);
      CommandResult check =
          RunCommand({OPSWATCH_BINARY, "--config.file=" + config, "--config.check"});
      BOOST_TEST_MESSAGE(variant.name << ": --config.check exit " << check.exit_code);
      RawResponse reload = Exchange(ow.port(), "POST", "/-/reload", "", kBystander, 60s);
      BOOST_TEST(reload.status == (check.exit_code == 0 ? 200 : 500), reload.body);
      BOOST_REQUIRE_MESSAGE(ow.process().Running(), "opswatch died: " + ow.process().Stderr());
      BOOST_TEST(ow.Get("/metrics").status == 200);
    }
  }
  // And the way back to a plain file works.
  dir.Write("opswatch.yml", BaseConfig(dir) + "rule_files: [rules.yml]\n");
  dir.Write("rules.yml", RuleFile("vector(1)"));
  BOOST_TEST(Exchange(ow.port(), "POST", "/-/reload", "", kBystander, 60s).status == 200);
}

BOOST_AUTO_TEST_CASE(reload_accepts_only_post) {
  TempDir dir;
  std::string config = dir.Write("opswatch.yml", BaseConfig(dir));
  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 30s));
  for (const char* method : {"PUT", "GET", "DELETE", "PATCH"}) {
    BOOST_TEST_CONTEXT(method) {
      RawResponse response = Exchange(ow.port(), method, "/-/reload");
      BOOST_TEST(response.status == 405);
      BOOST_TEST(response.headers["allow"] == "POST");
    }
  }
  BOOST_TEST(ow.process().Stderr().find("reloading configuration") == std::string::npos);
  BOOST_TEST(Exchange(ow.port(), "POST", "/-/reload").status == 200);
  BOOST_TEST(ow.process().Stderr().find("reloading configuration") != std::string::npos);
}

// Slowloris: clients that send their request head one byte at a time. Before, 4 workers served
// 4 such clients for up to 30 s each and /metrics waited behind them. The 1 s bound is not a
// latency target (a scrape takes a millisecond); it separates "answered" from "queued behind
// the slow clients", which took tens of seconds.
BOOST_AUTO_TEST_CASE(slow_request_heads_do_not_hold_up_metrics) {
  TempDir dir;
  std::string config = dir.Write("opswatch.yml", BaseConfig(dir));
  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 30s));

  constexpr int kSlowClients = 8;
  std::vector<Socket> slow;
  for (int i = 0; i < kSlowClients; ++i) slow.push_back(ConnectFrom(kAbuser, ow.port()));
  // Seconds after the start at which the server closed each slow client; -1 while open.
  std::vector<std::atomic<double>> closed_after(kSlowClients);
  for (auto& closed : closed_after) closed = -1;
  std::atomic<bool> stop{false};
  auto start = Clock::now();
  std::thread dribbler([&] {
    const std::string head =
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(4096, 'a');
    for (size_t byte = 0; byte < head.size() && !stop; ++byte) {
      for (int i = 0; i < kSlowClients; ++i) {
        if (closed_after[i] >= 0) continue;
        if (ClosedByServer(slow[i]->get()) ||
            send(slow[i]->get(), &head[byte], 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
          closed_after[i] = std::chrono::duration<double>(Clock::now() - start).count();
        }
      }
      std::this_thread::sleep_for(100ms);  // the abuse itself: one byte per 100 ms
    }
  });

  double slowest = 0;
  for (int i = 0; i < 10; ++i) slowest = std::max(slowest, ScrapeSeconds(ow.port()));
  BOOST_TEST_MESSAGE("slowest /metrics with " << kSlowClients << " slow clients: " << slowest);
  BOOST_TEST(slowest < 1.0);

  // The request head must arrive within 5 s: each slow client is cut off soon after.
  auto give_up = Clock::now() + 20s;
  while (Clock::now() < give_up && std::any_of(closed_after.begin(), closed_after.end(),
                                               [](const auto& c) { return c < 0; })) {
    std::this_thread::sleep_for(100ms);
  }
  stop = true;
  dribbler.join();
  for (const auto& closed : closed_after) {
    BOOST_TEST(closed >= 0);
    BOOST_TEST(closed < 10.0);
  }
}

// 500 connections from one address that never send a byte. The address may hold 16 open
// connections; the rest are refused at once, so they cannot fill the workers and the accept
// queue, and another client's scrape is answered at once (the 1 s bound separates "answered"
// from "queued behind the idle connections", which took more than 5 s).
BOOST_AUTO_TEST_CASE(idle_connections_from_one_address_are_capped) {
  TempDir dir;
  std::string config = dir.Write("opswatch.yml", BaseConfig(dir));
  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 30s));

  constexpr int kIdle = 500;
  constexpr size_t kCap = 16;
  std::vector<Socket> idle;
  for (int i = 0; i < kIdle; ++i) idle.push_back(ConnectFrom(kAbuser, ow.port(), /*wait=*/false));

  double slowest = 0;
  for (int i = 0; i < 10; ++i) slowest = std::max(slowest, ScrapeSeconds(ow.port()));
  BOOST_TEST_MESSAGE("slowest /metrics with " << kIdle << " idle connections: " << slowest);
  BOOST_TEST(slowest < 1.0);

  // Refused connections are closed at once, well before the 5 s request-head timeout.
  size_t open = idle.size();
  auto give_up = Clock::now() + 4s;
  std::vector<bool> closed(idle.size(), false);
  while (open > kCap && Clock::now() < give_up) {
    for (size_t i = 0; i < idle.size(); ++i) {
      if (!closed[i] && ClosedByServer(idle[i]->get())) {
        closed[i] = true;
        --open;
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(open <= kCap);
  // While the address holds its 16, one more connection from it is refused with a 503 (or, if
  // the reply lost the race with the close, no answer at all) ...
  BOOST_TEST(Exchange(ow.port(), "GET", "/metrics", "", kAbuser).status != 200);
  BOOST_TEST(ScrapeSeconds(ow.port()) < 1.0);
  // ... and once they are closed, the address is served again.
  idle.clear();
  bool served = false;
  auto deadline = Clock::now() + 15s;
  while (!served && Clock::now() < deadline) {
    served = Exchange(ow.port(), "GET", "/metrics", "", kAbuser).status == 200;
    if (!served) std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST(served);
}

BOOST_AUTO_TEST_CASE(gzip_follows_accept_encoding_weights_and_varies) {
  TempDir dir;
  std::string config = dir.Write("opswatch.yml", BaseConfig(dir));
  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 30s));
  struct Case {
    const char* accept_encoding;
    bool gzip;
  };
  for (Case c : {Case{"gzip;q=0", false}, Case{"*;q=0", false}, Case{"identity", false},
                 Case{"gzip", true}, Case{"*", true}, Case{"deflate, gzip;q=0.5", true}}) {
    BOOST_TEST_CONTEXT(c.accept_encoding) {
      RawResponse response =
          Exchange(ow.port(), "GET", "/metrics",
                   std::string("Accept-Encoding: ") + c.accept_encoding + "\r\n");
      BOOST_TEST(response.status == 200);
      BOOST_TEST(response.headers["vary"] == "Accept-Encoding");
      BOOST_TEST((response.headers["content-encoding"] == "gzip") == c.gzip);
      BOOST_TEST((response.body.find("# TYPE opswatch_build_info gauge") != std::string::npos) ==
                 !c.gzip);
    }
  }
  BOOST_TEST(Exchange(ow.port(), "GET", "/metrics").headers["vary"] == "Accept-Encoding");
}

// Each /api/v1/rules call built a JSON DOM of every rule (~66 MB for 20,000 rules) on a server
// thread, whose malloc arena kept it: RSS grew by that much per worker used. Now the reply is
// written rule by rule and large buffers go back to the system.
BOOST_AUTO_TEST_CASE(api_rules_memory_returns_to_baseline) {
#if defined(__SANITIZE_ADDRESS__)
  BOOST_TEST_MESSAGE("skipped under AddressSanitizer: its allocator keeps freed memory on purpose");
  return;
#endif
  TempDir dir;
  std::string rules = "groups:\n  - name: many\n    rules:\n";
  for (int i = 0; i < 20000; ++i) {
    rules += "      - alert: Rule" + std::to_string(i) + "\n        expr: vector(" +
             std::to_string(i) + ") > 1e9\n        labels: {severity: warning}\n" +
             "        annotations: {summary: 'rule " + std::to_string(i) + "'}\n";
  }
  dir.Write("rules.yml", rules);
  std::string config = dir.Write("opswatch.yml", BaseConfig(dir) + "rule_files: [rules.yml]\n");
  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 60s));
  auto call = [&] {
    RawResponse response = Exchange(ow.port(), "GET", "/api/v1/rules", "", kBystander, 60s);
    BOOST_REQUIRE(response.status == 200);
    return response.body.size();
  };
  size_t bytes = call();  // warms up what one call touches for good
  long baseline = ProcessMemoryKiB(ow.process().pid(), "VmRSS");
  for (int i = 0; i < 12; ++i) call();
  long after = ProcessMemoryKiB(ow.process().pid(), "VmRSS");
  BOOST_TEST_MESSAGE("reply " << bytes << " bytes; RSS " << baseline << " KiB before 12 calls, "
                              << after << " KiB after");
  BOOST_TEST(after - baseline < 100 * 1024);
}
