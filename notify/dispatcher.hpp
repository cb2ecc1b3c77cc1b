// Delivery of alerts to receivers: routing (match), grouping and dedup (GroupAggregator /
// PushTracker), the durable outbox, retry with backoff, and metrics.
//
//   Submit(alerts, now)  rule manager -> per-receiver aggregation
//   Tick(now)            collect finished requests (retry / give up / done), flush due groups into
//                        the outbox, start due attempts. Never blocks on the network.
//
// Each receiver has its own queue; requests of all receivers run concurrently on the transport,
// at most `max_in_flight` per receiver and one per group, so a dead receiver delays only itself.
// Thread-safety: thread-safe (one mutex); Tick is meant to be called from one thread
// (DispatcherThread), Submit/Families/GetHealth from any.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/alert.hpp"
#include "core/clock.hpp"
#include "core/logger.hpp"
#include "core/metric.hpp"
#include "notify/aggregation.hpp"
#include "notify/http_transport.hpp"
#include "notify/notify_config.hpp"
#include "notify/outbox.hpp"

namespace opswatch::notify {

struct DispatcherOptions {
  AlertingConfig config;
  // Outbox directory (e.g. <state_dir>/notifications); empty keeps notifications in memory only.
  std::string outbox_dir;
  Duration evaluation_interval = std::chrono::seconds(15);
  size_t max_in_flight = 4;  // per receiver
};

struct DispatcherHealth {
  bool ok = true;
  std::string last_error;  // never holds a URL or header value
  size_t queued = 0;
};

class Dispatcher {
 public:
  // `unit_random` returns uniform values in [0, 1) for backoff jitter (injected for tests).
  Dispatcher(DispatcherOptions options, HttpTransport& transport, OutboxFs& fs, Logger& logger,
             std::function<double()> unit_random);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Replays the outbox (call once before the first Tick). Notifications for receivers no longer
  // configured are dropped and their files removed. A broken outbox is reported, not fatal.
  Status Start(SystemTime now);
  // Alerts whose state is to be sent: firing ones, and resolved ones (resolved_at set).
  void Submit(const std::vector<Alert>& alerts, SystemTime now);
  void Tick(SystemTime now);
  // When Tick next has timed work (a group flush or a retry), if any.
  std::optional<SystemTime> NextWakeup() const;

  std::vector<MetricFamily> Families(SystemTime now) const;
  DispatcherHealth GetHealth() const;
  HttpTransport& transport() { return transport_; }

 private:
  struct Stats {
    uint64_t notifications = 0;
    std::map<std::string, uint64_t> failed;  // by reason
    uint64_t requests = 0;
    uint64_t requests_failed = 0;
    std::vector<uint64_t> latency_buckets;  // per bound, not cumulative
    uint64_t latency_count = 0;
    double latency_sum = 0;
  };
  struct Receiver {
    ReceiverConfig config;
    std::unique_ptr<GroupAggregator> aggregator;  // webhook
    std::unique_ptr<PushTracker> push;            // alertmanager
    std::deque<Notification> queue;               // by seq
    std::string last_error;
    Stats stats;
  };

  // All REQUIRES(mu_).
  void Enqueue(Receiver& receiver, Notification notification, bool persist);
  // Drops from `older` what `newer` carries; true when nothing of `older` is left to send.
  bool Supersede(Receiver& receiver, Notification& older, const Notification& newer);
  void HandleOutcome(uint64_t id, const AttemptOutcome& outcome, SystemTime now);
  void StartDue(Receiver& receiver, SystemTime now);
  HttpRequest BuildRequest(const Receiver& receiver, const Notification& n, SystemTime now) const;
  void NoteOutbox(const Status& status);
  // The stored notification log; empty (with a warning) when it is missing or unreadable.
  NotificationLog LoadNotificationLog();
  // Stages the webhook groups' notification log into the outbox batch when it changed.
  void StageNotificationLog();
  void RemoveFromOutbox(Receiver& receiver, const Notification& n);
  Receiver* Find(const std::string& name);

  DispatcherOptions options_;
  HttpTransport& transport_;
  Outbox outbox_;
  Logger& logger_;
  std::function<double()> unit_random_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Receiver>> receivers_;              // GUARDED_BY(mu_)
  uint64_t next_seq_ = 1;                                         // GUARDED_BY(mu_)
  std::map<uint64_t, std::pair<Receiver*, uint64_t>> in_flight_;  // request id -> (receiver, seq)
  uint64_t next_request_id_ = 1;                                  // GUARDED_BY(mu_)
  std::string outbox_error_;                                      // GUARDED_BY(mu_)
  uint64_t outbox_failures_ = 0;                                  // GUARDED_BY(mu_)
};

// Runs Dispatcher::Tick on its own thread until destroyed, sleeping in the transport between
// ticks (woken early by Submit through HttpTransport::Wakeup).
// Thread-safety: construct and destroy from one thread.
class DispatcherThread {
 public:
  DispatcherThread(Dispatcher& dispatcher, const Clock& clock);
  ~DispatcherThread();
  DispatcherThread(const DispatcherThread&) = delete;
  DispatcherThread& operator=(const DispatcherThread&) = delete;

 private:
  Dispatcher& dispatcher_;
  const Clock& clock_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Latency histogram bounds (seconds) for opswatch_notification_latency_seconds.
const std::vector<double>& LatencyBuckets();

}  // namespace opswatch::notify
