// Runs each collector instance on its own interval and deadline, never two runs of one instance
// at once. A run past its deadline (plus AbandonGrace) is abandoned: the instance is reported down
// with a timeout at once, and its later runs are skipped until the stuck run returns (its result is
// then dropped). Nothing else waits on it.
//
// Tick() is the synchronous step (tests call it with a FakeClock and a manual executor); Start()
// wraps it in a thread that sleeps until the next due time.
// Thread-safety: thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "collectors/collector.hpp"
#include "core/clock.hpp"
#include "core/logger.hpp"
#include "exporter/snapshot_store.hpp"

namespace opswatch {

// Where collector runs execute. The real one gives each run its own detached thread, so a run
// that never returns (statvfs on a dead mount) holds one thread and nothing else.
class RunExecutor {
 public:
  virtual ~RunExecutor() = default;
  virtual void Execute(std::function<void()> task) = 0;
};

// How long past its deadline a run may take before it is abandoned: a collector that honours its
// deadline returns right at it, and must not lose that race to the scheduler.
Duration AbandonGrace(Duration timeout);

class ThreadRunExecutor final : public RunExecutor {
 public:
  void Execute(std::function<void()> task) override;
};

struct ScheduledCollector {
  CollectorIdentity id;
  std::shared_ptr<Collector> collector;
};

class Scheduler {
 public:
  // The first run of each instance is spread over [0, min(interval/10, 5s)) from start, drawn
  // from `jitter_seed`, so many collectors do not all fire at the same instant.
  Scheduler(std::vector<ScheduledCollector> collectors, SnapshotStore& store, const Clock& clock,
            Logger& logger, RunExecutor& executor, uint64_t jitter_seed);
  ~Scheduler();  // stops the thread; abandoned runs keep only shared state alive
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts due runs and times out overdue ones at the clock's current time. Returns when the
  // next Tick is needed.
  SteadyTime Tick();
  // Runs the thread that calls Tick() on time.
  void Start();
  void Stop();
  // Blocks (real time) until every instance has finished or timed out one run. For --once.
  void WaitForFirstRound();

  // Introspection for tests.
  SteadyTime NextRunOf(const std::string& name) const;
  bool RunningNow(const std::string& name) const;

 private:
  struct Instance;
  struct Shared;  // state shared with run tasks, which may outlive this object
  void StartRunLocked(const std::shared_ptr<Instance>& instance, SteadyTime now);

  std::shared_ptr<Shared> shared_;
  RunExecutor& executor_;
  std::thread thread_;
};

}  // namespace opswatch
