#include "exporter/scheduler.hpp"

#include <algorithm>

namespace opswatch {

Duration AbandonGrace(Duration timeout) {
  return std::clamp<Duration>(timeout / 10, std::chrono::milliseconds(50), std::chrono::seconds(1));
}

void ThreadRunExecutor::Execute(std::function<void()> task) {
  std::thread(std::move(task)).detach();
}

struct Scheduler::Instance {
  ScheduledCollector spec;
  SteadyTime next_run{};
  bool running = false;
  bool timed_out = false;  // the current run passed its deadline and was reported as a timeout
  bool logged_skip = false;
  SteadyTime started{};
  SteadyTime deadline{};    // handed to the collector
  SteadyTime abandon_at{};  // deadline + grace: only then is the run declared timed out
  uint64_t generation = 0;  // identifies the current run
  bool completed_once = false;
};

struct Scheduler::Shared {
  Shared(SnapshotStore& s, const Clock& c, Logger& l) : store(s), clock(c), logger(l) {}
  SnapshotStore& store;
  const Clock& clock;
  Logger& logger;
  std::mutex mu;
  std::condition_variable wake;
  bool stopped = false;                              // GUARDED_BY(mu)
  std::vector<std::shared_ptr<Instance>> instances;  // GUARDED_BY(mu)
};

Scheduler::Scheduler(std::vector<ScheduledCollector> collectors, SnapshotStore& store,
                     const Clock& clock, Logger& logger, RunExecutor& executor,
                     uint64_t jitter_seed)
    : shared_(std::make_shared<Shared>(store, clock, logger)), executor_(executor) {
  std::mt19937_64 rng(jitter_seed);
  SteadyTime now = clock.SteadyNow();
  for (auto& spec : collectors) {
    auto instance = std::make_shared<Instance>();
    Duration spread = std::min<Duration>(spec.id.interval / 10, std::chrono::seconds(5));
    std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(spread.count() - 1, 0));
    instance->next_run = now + Duration(jitter(rng));
    instance->spec = std::move(spec);
    shared_->instances.push_back(std::move(instance));
  }
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::StartRunLocked(const std::shared_ptr<Instance>& instance, SteadyTime now) {
  instance->running = true;
  instance->timed_out = false;
  instance->logged_skip = false;
  instance->started = now;
  instance->deadline = now + instance->spec.id.timeout;
  instance->abandon_at = instance->deadline + AbandonGrace(instance->spec.id.timeout);
  uint64_t generation = ++instance->generation;
  while (instance->next_run <= now) instance->next_run += instance->spec.id.interval;

  RunContext ctx{instance->deadline};
  executor_.Execute([shared = shared_, instance, generation, ctx] {
    CollectResult result;
    try {
      result = instance->spec.collector->Collect(ctx);
    } catch (const std::exception& e) {  // a collector must not throw; contain it if one does
      result.status = Status::Error(std::string("collector threw: ") + e.what());
    }
    std::lock_guard lock(shared->mu);
    if (instance->generation != generation) return;
    instance->running = false;
    instance->completed_once = true;
    SteadyTime now = shared->clock.SteadyNow();
    if (shared->stopped) return;
    if (instance->timed_out) {
      shared->logger.Info("abandoned collector run returned; result discarded",
                          {{"collector", instance->spec.id.name},
                           {"after_seconds", ToSeconds(now - instance->started)}});
    } else {
      RunOutcome outcome;
      outcome.name = instance->spec.id.name;
      outcome.finished_at = shared->clock.SystemNow();
      outcome.duration_seconds = ToSeconds(now - instance->started);
      outcome.ok = result.status.ok();
      outcome.error = result.status.message();
      outcome.families = std::move(result.families);
      outcome.foreign = std::move(result.foreign);
      outcome.foreign_unexposed = std::move(result.foreign_unexposed);
      if (!outcome.ok) {
        shared->logger.Warn("collector run failed",
                            {{"collector", outcome.name}, {"err", outcome.error}});
      } else if (shared->logger.Enabled(LogLevel::kDebug)) {
        shared->logger.Debug("collector run finished",
                             {{"collector", outcome.name},
                              {"type", instance->spec.id.type},
                              {"duration_seconds", outcome.duration_seconds},
                              {"families", outcome.families.size()}});
      }
      shared->store.RecordRun(std::move(outcome));
    }
    shared->wake.notify_all();
  });
}

SteadyTime Scheduler::Tick() {
  std::lock_guard lock(shared_->mu);
  SteadyTime now = shared_->clock.SteadyNow();
  SteadyTime next = SteadyTime::max();
  for (const auto& instance : shared_->instances) {
    if (instance->running) {
      if (!instance->timed_out && now >= instance->abandon_at) {
        instance->timed_out = true;
        instance->completed_once = true;
        RunOutcome outcome;
        outcome.name = instance->spec.id.name;
        outcome.finished_at = shared_->clock.SystemNow();
        outcome.duration_seconds = ToSeconds(now - instance->started);
        outcome.timed_out = true;
        outcome.error =
            "collection did not finish within " + FormatDuration(instance->spec.id.timeout);
        shared_->logger.Warn(
            "collector run timed out; abandoning it",
            {{"collector", outcome.name}, {"timeout", FormatDuration(instance->spec.id.timeout)}});
        shared_->store.RecordRun(std::move(outcome));
      }
      if (now >= instance->next_run) {
        if (!instance->logged_skip) {
          shared_->logger.Warn("skipping collector run: the previous run has not returned",
                               {{"collector", instance->spec.id.name}});
          instance->logged_skip = true;
        }
        while (instance->next_run <= now) instance->next_run += instance->spec.id.interval;
      }
    } else if (now >= instance->next_run) {
      StartRunLocked(instance, now);
    }
    next = std::min(next, instance->next_run);
    if (instance->running && !instance->timed_out) next = std::min(next, instance->abandon_at);
  }
  return next;
}

void Scheduler::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(shared_->mu);
    while (!shared_->stopped) {
      lock.unlock();
      SteadyTime next = Tick();
      lock.lock();
      if (shared_->stopped) break;
      // Real time here: Start() is only used with the real clock.
      shared_->wake.wait_until(
          lock, std::min(next, shared_->clock.SteadyNow() + std::chrono::seconds(1)));
    }
  });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(shared_->mu);
    shared_->stopped = true;
  }
  shared_->wake.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::WaitForFirstRound() {
  std::unique_lock lock(shared_->mu);
  while (true) {
    bool all = std::all_of(shared_->instances.begin(), shared_->instances.end(),
                           [](const auto& i) { return i->completed_once; });
    if (all || shared_->stopped) return;
    shared_->wake.wait_for(lock, std::chrono::milliseconds(50));
  }
}

SteadyTime Scheduler::NextRunOf(const std::string& name) const {
  std::lock_guard lock(shared_->mu);
  for (const auto& i : shared_->instances) {
    if (i->spec.id.name == name) return i->next_run;
  }
  return SteadyTime::max();
}

bool Scheduler::RunningNow(const std::string& name) const {
  std::lock_guard lock(shared_->mu);
  for (const auto& i : shared_->instances) {
    if (i->spec.id.name == name) return i->running;
  }
  return false;
}

}  // namespace opswatch
