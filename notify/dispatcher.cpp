#include "notify/dispatcher.hpp"

#include <algorithm>
#include <set>

#include "core/json_dump.hpp"
#include "core/time_format.hpp"
#include "notify/notify_metrics.hpp"
#include "notify/payload.hpp"

namespace opswatch::notify {
namespace {

constexpr const char* kReasons[] = {"clientError", "serverError", "contextDeadlineExceeded",
                                    "other", "expired"};

std::string Describe(const AttemptOutcome& outcome) {
  if (outcome.status != 0) return "HTTP " + std::to_string(outcome.status);
  if (outcome.timed_out) return "timed out";
  return outcome.error.empty() ? "no response" : outcome.error;
}

std::string PushUrl(const Secret& base) {
  std::string url = base.Reveal();
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/api/v2/alerts";
}

}  // namespace

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                               0.5,   1,    2.5,   5,    10,  20};
  return kBuckets;
}

Dispatcher::Dispatcher(DispatcherOptions options, HttpTransport& transport, OutboxFs& fs,
                       Logger& logger, std::function<double()> unit_random)
    : options_(std::move(options)),
      transport_(transport),
      outbox_(fs, options_.outbox_dir),
      logger_(logger),
      unit_random_(std::move(unit_random)) {
  for (const ReceiverConfig& config : options_.config.receivers) {
    auto receiver = std::make_unique<Receiver>();
    receiver->config = config;
    if (config.type == ReceiverType::kWebhook) {
      receiver->aggregator = std::make_unique<GroupAggregator>(receiver->config);
    } else {
      receiver->push =
          std::make_unique<PushTracker>(options_.config.resend_delay, options_.evaluation_interval);
    }
    receiver->stats.latency_buckets.assign(LatencyBuckets().size(), 0);
    for (const char* reason : kReasons) receiver->stats.failed[reason] = 0;
    receivers_.push_back(std::move(receiver));
  }
}

Dispatcher::Receiver* Dispatcher::Find(const std::string& name) {
  for (auto& receiver : receivers_) {
    if (receiver->config.name == name) return receiver.get();
  }
  return nullptr;
}

Status Dispatcher::Start(SystemTime now) {
  std::lock_guard lock(mu_);
  std::vector<std::string> problems;
  auto loaded = outbox_.Load(problems);
  for (const std::string& problem : problems) {
    logger_.Warn("skipping unreadable outbox file", {{"problem", problem}});
  }
  if (!loaded) {
    outbox_error_ = "outbox: " + loaded.error();
    logger_.Error("cannot read the notification outbox", {{"err", loaded.error()}});
    return loaded.status();
  }
  NotificationLog log = LoadNotificationLog();
  size_t replayed = 0;
  for (Notification& n : *loaded) {
    next_seq_ = std::max(next_seq_, n.seq + 1);
    Receiver* receiver = Find(n.receiver);
    if (receiver == nullptr || receiver->config.type != n.type) {
      // The receiver was removed or changed type: nobody left to deliver this to.
      logger_.Warn("dropping outbox notification for unknown receiver", {{"receiver", n.receiver}});
      (void)outbox_.Remove(n);
      continue;
    }
    n.next_attempt = now;
    if (n.type == ReceiverType::kWebhook) {
      // Written before the log and possibly never followed by it (a crash in between): once
      // delivered, this is what its group last notified.
      auto entry = EntryFromWebhookBody(n.body, n.created);
      NotificationLogEntry& logged = log[n.receiver][n.key];
      if (entry && logged.notified_at <= n.created) logged = std::move(entry).value();
    }
    Enqueue(*receiver, std::move(n), /*persist=*/false);
    ++replayed;
  }
  for (auto& [name, groups] : log) {
    Receiver* receiver = Find(name);
    if (receiver != nullptr && receiver->aggregator) {
      receiver->aggregator->RestoreLog(std::move(groups));
    }
  }
  if (replayed > 0) logger_.Info("replaying notification outbox", {{"notifications", replayed}});
  return Status::Ok();
}

NotificationLog Dispatcher::LoadNotificationLog() {
  auto text = outbox_.LoadLog();
  if (!text) {
    logger_.Warn("cannot read the notification log; groups start afresh", {{"err", text.error()}});
    return {};
  }
  if (text->empty()) return {};
  auto log = DecodeNotificationLog(*text);
  if (!log) {
    logger_.Warn("ignoring the notification log; groups start afresh", {{"err", log.error()}});
    return {};
  }
  return std::move(log).value();
}

void Dispatcher::StageNotificationLog() {
  bool changed = false;
  for (auto& receiver : receivers_) {
    if (receiver->aggregator) changed |= receiver->aggregator->TakeLogChanged();
  }
  if (!changed) return;
  NotificationLog log;
  for (const auto& receiver : receivers_) {
    if (!receiver->aggregator) continue;
    GroupLog groups = receiver->aggregator->ExportLog();
    if (!groups.empty()) log[receiver->config.name] = std::move(groups);
  }
  outbox_.PutLog(EncodeNotificationLog(log));
}

void Dispatcher::Submit(const std::vector<Alert>& alerts, SystemTime now) {
  {
    std::lock_guard lock(mu_);
    for (auto& receiver : receivers_) {
      for (const Alert& alert : alerts) {
        if (!Matches(receiver->config, alert.labels)) continue;
        if (receiver->aggregator) {
          receiver->aggregator->Add(alert, now);
        } else {
          receiver->push->Add(alert, now);
        }
      }
    }
  }
  transport_.Wakeup();
}

void Dispatcher::NoteOutbox(const Status& status) {
  if (status.ok()) {
    outbox_error_.clear();
    return;
  }
  ++outbox_failures_;
  if (outbox_error_ != status.message()) {
    logger_.Error("cannot write the notification outbox; delivering from memory",
                  {{"err", status.message()}});
  }
  outbox_error_ = "outbox: " + status.message();
}

void Dispatcher::RemoveFromOutbox(Receiver& receiver, const Notification& n) {
  // A newer notification for the same group owns the same file: leave it.
  for (const Notification& other : receiver.queue) {
    if (other.seq != n.seq && other.key == n.key) return;
  }
  NoteOutbox(outbox_.Remove(n));
}

bool Dispatcher::Supersede(Receiver& receiver, Notification& older, const Notification& newer) {
  if (older.type == ReceiverType::kWebhook) return older.key == newer.key;
  std::set<std::string> fresh;
  for (const PushItem& item : newer.items) fresh.insert(item.fingerprint);
  size_t before = older.items.size();
  std::erase_if(older.items, [&](const PushItem& item) { return fresh.count(item.fingerprint); });
  if (older.items.empty()) {
    NoteOutbox(outbox_.Remove(older));
    return true;
  }
  if (older.items.size() != before) {
    older.alert_count = older.items.size();
    outbox_.Put(older);
  }
  (void)receiver;
  return false;
}

void Dispatcher::Enqueue(Receiver& receiver, Notification n, bool persist) {
  // Collapse: what is still waiting is replaced by the newer state (the in-flight request is left
  // to finish; it is dropped afterwards instead of retried).
  for (auto it = receiver.queue.begin(); it != receiver.queue.end();) {
    if (!it->in_flight && Supersede(receiver, *it, n)) {
      it = receiver.queue.erase(it);
    } else {
      ++it;
    }
  }
  if (persist) outbox_.Put(n);
  ++receiver.stats.notifications;
  receiver.queue.push_back(std::move(n));
}

HttpRequest Dispatcher::BuildRequest(const Receiver& receiver, const Notification& n,
                                     SystemTime now) const {
  HttpRequest request;
  request.timeout = receiver.config.timeout;
  for (const auto& [name, value] : receiver.config.headers)
    request.headers.push_back(name + ": " + value);
  if (n.type == ReceiverType::kWebhook) {
    request.url = receiver.config.url;
    request.body = n.body;
    return request;
  }
  request.url = Secret(PushUrl(receiver.config.url));
  std::string ends_at = FormatRfc3339Nano(receiver.push->FiringEndsAt(now));
  nlohmann::json alerts = nlohmann::json::array();
  for (const PushItem& item : n.items) {
    nlohmann::json alert = nlohmann::json::parse(item.alert_json);
    if (item.firing) alert["endsAt"] = ends_at;
    alerts.push_back(std::move(alert));
  }
  request.body = DumpJson(alerts);
  return request;
}

void Dispatcher::StartDue(Receiver& receiver, SystemTime now) {
  size_t running = 0;
  std::set<std::string> busy_keys;
  for (const Notification& n : receiver.queue) {
    if (n.in_flight) {
      ++running;
      busy_keys.insert(n.key);
    }
  }
  for (Notification& n : receiver.queue) {
    if (running >= options_.max_in_flight) break;
    if (n.in_flight || n.next_attempt > now || busy_keys.count(n.key)) continue;
    n.in_flight = true;
    if (n.first_attempt == SystemTime{}) n.first_attempt = now;
    busy_keys.insert(n.key);
    ++running;
    uint64_t id = next_request_id_++;
    in_flight_[id] = {&receiver, n.seq};
    transport_.Start(id, BuildRequest(receiver, n, now));
  }
}

void Dispatcher::HandleOutcome(uint64_t id, const AttemptOutcome& outcome, SystemTime now) {
  auto flight = in_flight_.find(id);
  if (flight == in_flight_.end()) return;
  auto [receiver_ptr, seq] = flight->second;
  in_flight_.erase(flight);
  Receiver& receiver = *receiver_ptr;
  auto it = std::find_if(receiver.queue.begin(), receiver.queue.end(),
                         [seq = seq](const Notification& n) { return n.seq == seq; });
  if (it == receiver.queue.end()) return;
  Notification& n = *it;
  n.in_flight = false;

  Stats& stats = receiver.stats;
  ++stats.requests;
  double seconds = ToSeconds(outcome.elapsed);
  ++stats.latency_count;
  stats.latency_sum += seconds;
  const auto& bounds = LatencyBuckets();
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) {
      ++stats.latency_buckets[i];
      break;
    }
  }
  bool failed = !IsSuccess(outcome);
  if (failed) ++stats.requests_failed;
  RetryDecision decision =
      DecideRetry(receiver.config.retry, outcome, n.failures + (failed ? 1 : 0), n.first_attempt,
                  now, unit_random_);
  const std::string& name = receiver.config.name;
  switch (decision.kind) {
    case RetryDecision::kDelivered: {
      receiver.last_error.clear();
      logger_.Debug("notification delivered", {{"receiver", name},
                                               {"alerts", n.alert_count},
                                               {"attempt", n.failures + 1},
                                               {"duration_seconds", seconds}});
      Notification done = std::move(n);
      receiver.queue.erase(it);
      RemoveFromOutbox(receiver, done);
      return;
    }
    case RetryDecision::kRetry: {
      ++n.failures;
      n.next_attempt = decision.next_attempt;
      receiver.last_error = "receiver " + name + ": " + Describe(outcome) + " (will retry)";
      logger_.Warn("notification attempt failed; retrying", {{"receiver", name},
                                                             {"reason", decision.reason},
                                                             {"err", Describe(outcome)},
                                                             {"attempt", n.failures}});
      // A newer state of the same group queued meanwhile makes this one pointless.
      bool superseded = false;
      for (auto& other : receiver.queue) {
        if (other.seq > n.seq && Supersede(receiver, n, other)) {
          superseded = true;
          break;
        }
      }
      if (superseded) receiver.queue.erase(it);
      return;
    }
    case RetryDecision::kGiveUp: {
      ++stats.failed[decision.reason];
      receiver.last_error = "receiver " + name + ": notification dropped: " + Describe(outcome) +
                            (decision.reason == "expired" ? " (retry.max_elapsed passed)" : "");
      logger_.Error("notification failed; giving up", {{"receiver", name},
                                                       {"reason", decision.reason},
                                                       {"err", Describe(outcome)},
                                                       {"alerts", n.alert_count}});
      Notification done = std::move(n);
      receiver.queue.erase(it);
      RemoveFromOutbox(receiver, done);
      return;
    }
  }
}

void Dispatcher::Tick(SystemTime now) {
  std::lock_guard lock(mu_);
  for (const auto& [id, outcome] : transport_.Poll()) HandleOutcome(id, outcome, now);
  for (auto& receiver_ptr : receivers_) {
    Receiver& receiver = *receiver_ptr;
    if (receiver.aggregator) {
      for (WebhookMessage& message : receiver.aggregator->Flush(now)) {
        Notification n;
        n.receiver = receiver.config.name;
        n.key = message.group_key;
        n.type = ReceiverType::kWebhook;
        n.seq = next_seq_++;
        n.created = now;
        n.next_attempt = now;
        n.alert_count = message.alerts.size();
        n.body = DumpJson(WebhookBody(message, options_.config.external_url));
        Enqueue(receiver, std::move(n), /*persist=*/true);
      }
    } else {
      PushBatch batch = receiver.push->Flush(now);
      if (!batch.alerts.empty()) {
        Notification n;
        n.receiver = receiver.config.name;
        n.type = ReceiverType::kAlertmanager;
        n.seq = next_seq_++;
        n.key = "push/" + std::to_string(n.seq);
        n.created = now;
        n.next_attempt = now;
        n.alert_count = batch.alerts.size();
        for (size_t i = 0; i < batch.alerts.size(); ++i) {
          const Alert& alert = batch.alerts[i];
          n.items.push_back(PushItem{batch.fingerprints[i], !alert.resolved(),
                                     DumpJson(PostableAlert(alert, SystemTime{}))});
        }
        Enqueue(receiver, std::move(n), /*persist=*/true);
      }
    }
  }
  StageNotificationLog();
  // One directory fsync makes every notification written above durable before its first attempt.
  if (outbox_.has_staged()) NoteOutbox(outbox_.Sync());
  for (auto& receiver : receivers_) StartDue(*receiver, now);
}

std::optional<SystemTime> Dispatcher::NextWakeup() const {
  std::lock_guard lock(mu_);
  std::optional<SystemTime> next;
  auto consider = [&next](std::optional<SystemTime> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  for (const auto& receiver : receivers_) {
    consider(receiver->aggregator ? receiver->aggregator->NextFlush()
                                  : receiver->push->NextFlush());
    size_t running = 0;
    for (const Notification& n : receiver->queue) running += n.in_flight ? 1 : 0;
    if (running >= options_.max_in_flight) continue;  // woken by a completion instead
    for (const Notification& n : receiver->queue) {
      if (!n.in_flight) consider(n.next_attempt);
    }
  }
  return next;
}

std::vector<MetricFamily> Dispatcher::Families(SystemTime now) const {
  std::lock_guard lock(mu_);
  MetricFamily notifications = NewFamily(notify_metrics::kNotifications);
  MetricFamily failed = NewFamily(notify_metrics::kNotificationsFailed);
  MetricFamily requests = NewFamily(notify_metrics::kRequests);
  MetricFamily requests_failed = NewFamily(notify_metrics::kRequestsFailed);
  MetricFamily latency = NewFamily(notify_metrics::kLatency);
  MetricFamily queue_length = NewFamily(notify_metrics::kQueueLength);
  MetricFamily oldest = NewFamily(notify_metrics::kOldestQueuedAge);
  for (const auto& receiver : receivers_) {
    const Stats& s = receiver->stats;
    Labels labels{{"receiver", receiver->config.name}};
    notifications.Add(labels, static_cast<double>(s.notifications));
    for (const auto& [reason, count] : s.failed) {
      failed.Add(Labels{{"reason", reason}, {"receiver", receiver->config.name}},
                 static_cast<double>(count));
    }
    requests.Add(labels, static_cast<double>(s.requests));
    requests_failed.Add(labels, static_cast<double>(s.requests_failed));
    HistogramValue histogram;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < LatencyBuckets().size(); ++i) {
      cumulative += s.latency_buckets[i];
      histogram.buckets.emplace_back(LatencyBuckets()[i], cumulative);
    }
    histogram.count = s.latency_count;
    histogram.sum = s.latency_sum;
    latency.samples.push_back(Sample{labels, 0, histogram});
    queue_length.Add(labels, static_cast<double>(receiver->queue.size()));
    double age = 0;
    for (const Notification& n : receiver->queue) {
      age = std::max(age, ToSeconds(std::chrono::duration_cast<Duration>(now - n.created)));
    }
    oldest.Add(labels, age);
  }
  MetricFamily outbox_failures = NewFamily(notify_metrics::kOutboxFailures);
  outbox_failures.Add({}, static_cast<double>(outbox_failures_));
  return {notifications, failed,       requests, requests_failed,
          latency,       queue_length, oldest,   outbox_failures};
}

DispatcherHealth Dispatcher::GetHealth() const {
  std::lock_guard lock(mu_);
  DispatcherHealth health;
  health.last_error = outbox_error_;
  for (const auto& receiver : receivers_) {
    health.queued += receiver->queue.size();
    if (health.last_error.empty()) health.last_error = receiver->last_error;
  }
  health.ok = health.last_error.empty();
  return health;
}

DispatcherThread::DispatcherThread(Dispatcher& dispatcher, const Clock& clock)
    : dispatcher_(dispatcher), clock_(clock) {
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      SystemTime now = clock_.SystemNow();
      dispatcher_.Tick(now);
      Duration wait = std::chrono::seconds(1);
      if (auto next = dispatcher_.NextWakeup()) {
        wait = std::clamp<Duration>(std::chrono::duration_cast<Duration>(*next - now),
                                    std::chrono::milliseconds(5), std::chrono::seconds(1));
      }
      dispatcher_.transport().Wait(wait);
    }
  });
}

DispatcherThread::~DispatcherThread() {
  stop_.store(true);
  dispatcher_.transport().Wakeup();
  thread_.join();
}

}  // namespace opswatch::notify
