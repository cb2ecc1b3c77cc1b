// Alert delivery benchmark against a local CivetWeb receiver on 127.0.0.1 (port 0):
//   1. throughput: N distinct alert groups submitted at once, time until every webhook arrived
//      (notifications per second, with the durable outbox in a temp dir: fsync per notification);
//   2. latency: one alert at a time, time from Dispatcher::Submit to the receiver's handler
//      (p50 / p99 / max). With group_wait 0 this is what an alert adds on top of the evaluation
//      interval; the target is under 100 ms.
// Bounded in count and time; talks to loopback only.
#include <civetweb.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "notify/dispatcher.hpp"

using namespace opswatch;
using namespace opswatch::notify;
using Steady = std::chrono::steady_clock;

namespace {

struct Receiver {
  std::mutex mu;
  std::condition_variable cv;
  size_t received = 0;
  Steady::time_point last;

  static int Handle(mg_connection* conn, void* self) {
    char buffer[8192];
    while (mg_read(conn, buffer, sizeof buffer) > 0) {
    }
    mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}");
    auto* r = static_cast<Receiver*>(self);
    {
      std::lock_guard lock(r->mu);
      ++r->received;
      r->last = Steady::now();
    }
    r->cv.notify_all();
    return 200;
  }
  bool WaitFor(size_t count, std::chrono::seconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return received >= count; });
  }
};

Alert MakeAlert(int i) {
  Alert a;
  a.labels = Labels{{"alertname", "Bench" + std::to_string(i)}, {"severity", "warning"}};
  a.annotations = {{"summary", "benchmark alert"}};
  a.state = AlertState::kFiring;
  a.active_at = a.fired_at = std::chrono::system_clock::now();
  return a;
}

}  // namespace

int main() {
  Receiver receiver;
  const char* options[] = {"listening_ports",   "127.0.0.1:0", "num_threads", "16",
                           "enable_keep_alive", "yes",         nullptr};
  mg_callbacks callbacks{};
  mg_context* ctx = mg_start(&callbacks, nullptr, options);
  if (ctx == nullptr) {
    std::fprintf(stderr, "cannot start receiver\n");
    return 1;
  }
  mg_set_request_handler(ctx, "/", &Receiver::Handle, &receiver);
  mg_server_port ports[2] = {};
  mg_get_server_ports(ctx, 2, ports);
  std::string url = "http://127.0.0.1:" + std::to_string(ports[0].port) + "/hook";

  char dir_template[] = "/tmp/notify-bench-XXXXXX";
  std::string state = mkdtemp(dir_template);

  ReceiverConfig hook;
  hook.name = "bench";
  hook.url = Secret(url);
  hook.group_by = {"alertname"};
  hook.group_wait = std::chrono::milliseconds(0);
  DispatcherOptions opts;
  opts.config.receivers = {hook};
  opts.outbox_dir = state + "/notifications";
  RealClock clock;
  NullLogger logger;
  auto fs = MakePosixOutboxFs();
  auto transport = MakeCurlTransport();
  std::mt19937 rng(1);
  Dispatcher dispatcher(opts, *transport, *fs, logger,
                        [&] { return std::uniform_real_distribution<double>(0, 1)(rng); });
  dispatcher.Start(clock.SystemNow());
  DispatcherThread thread(dispatcher, clock);

  constexpr int kThroughput = 2000;
  std::vector<Alert> alerts;
  for (int i = 0; i < kThroughput; ++i) alerts.push_back(MakeAlert(i));
  auto start = Steady::now();
  dispatcher.Submit(alerts, clock.SystemNow());
  if (!receiver.WaitFor(kThroughput, std::chrono::seconds(120))) {
    std::fprintf(stderr, "throughput: only %zu of %d arrived\n", receiver.received, kThroughput);
    return 1;
  }
  double seconds = std::chrono::duration<double>(receiver.last - start).count();
  std::printf("throughput: %d notifications in %.3f s = %.0f notifications/s (outbox fsync on)\n",
              kThroughput, seconds, kThroughput / seconds);

  constexpr int kLatency = 200;
  std::vector<double> ms;
  for (int i = 0; i < kLatency; ++i) {
    size_t before;
    {
      std::lock_guard lock(receiver.mu);
      before = receiver.received;
    }
    auto t0 = Steady::now();
    dispatcher.Submit({MakeAlert(100000 + i)}, clock.SystemNow());
    if (!receiver.WaitFor(before + 1, std::chrono::seconds(10))) {
      std::fprintf(stderr, "latency: notification %d did not arrive\n", i);
      return 1;
    }
    std::lock_guard lock(receiver.mu);
    ms.push_back(std::chrono::duration<double, std::milli>(receiver.last - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("submit->receipt: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d alerts\n",
              ms[ms.size() / 2], ms[ms.size() * 99 / 100], ms.back(), kLatency);
  mg_stop(ctx);
  std::filesystem::remove_all(state);
  return 0;
}
