#define BOOST_TEST_MODULE scheduler
#include "exporter/scheduler.hpp"

#include <boost/test/unit_test.hpp>
#include <deque>

#include "core/fake_clock.hpp"
#include "tests/support/metric_lookup.hpp"

using namespace opswatch;
using namespace std::chrono_literals;

namespace {

// Holds submitted runs until the test lets them go: a run left in the queue is a "hung" run.
class ManualExecutor final : public RunExecutor {
 public:
  void Execute(std::function<void()> task) override { tasks.push_back(std::move(task)); }
  void RunAll() {
    while (!tasks.empty()) {
      auto task = std::move(tasks.front());
      tasks.pop_front();
      task();
    }
  }
  std::deque<std::function<void()>> tasks;
};

class CountingCollector final : public Collector {
 public:
  explicit CountingCollector(FakeClock& clock, Duration work = 0ms) : clock_(clock), work_(work) {}
  CollectResult Collect(const RunContext& ctx) override {
    ++runs;
    last_deadline = ctx.deadline;
    clock_.Advance(work_);
    CollectResult r;
    r.families.push_back(Gauge("test_value", "A test value.").Add({}, runs));
    if (fail) r.status = Status::Error("boom");
    return r;
  }
  int runs = 0;
  bool fail = false;
  SteadyTime last_deadline{};

 private:
  FakeClock& clock_;
  Duration work_;
};

ScheduledCollector Spec(std::string name, Millis interval, Millis timeout,
                        std::shared_ptr<Collector> c) {
  return ScheduledCollector{CollectorIdentity{std::move(name), "test", interval, timeout},
                            std::move(c)};
}

double ValueOf(const Snapshot& s, const std::string& family, const std::string& collector) {
  const Sample* sample = testing::FindSample(s.families, family, {{"collector", collector}});
  return sample ? sample->value : -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(first_run_is_jittered_within_a_tenth_of_the_interval) {
  FakeClock clock;
  NullLogger logger;
  SnapshotStore store(clock);
  ManualExecutor executor;
  SteadyTime start = clock.SteadyNow();
  for (uint64_t seed = 1; seed < 50; ++seed) {
    auto c = std::make_shared<CountingCollector>(clock);
    Scheduler s({Spec("a", 30s, 10s, c), Spec("b", 10min, 10s, c)}, store, clock, logger, executor,
                seed);
    BOOST_TEST((s.NextRunOf("a") >= start && s.NextRunOf("a") < start + 3s));
    // capped at 5s even for long intervals
    BOOST_TEST((s.NextRunOf("b") >= start && s.NextRunOf("b") < start + 5s));
  }
}

BOOST_AUTO_TEST_CASE(runs_on_interval_and_publishes_with_collector_label) {
  FakeClock clock;
  NullLogger logger;
  SnapshotStore store(clock);
  ManualExecutor executor;
  auto c = std::make_shared<CountingCollector>(clock, 20ms);
  store.SetCollectors({{"a", "test"}});
  Scheduler s({Spec("a", 10s, 5s, c)}, store, clock, logger, executor, 7);
  clock.Advance(2s);  // past any jitter
  s.Tick();
  BOOST_REQUIRE(executor.tasks.size() == 1u);
  BOOST_TEST(!store.AllCollectedOnce());
  // No outcome yet: opswatch_collector_up is absent (not 0), as Prometheus's up before a scrape.
  BOOST_TEST(ValueOf(*store.Current(), "opswatch_collector_up", "a") == -1);
  BOOST_TEST(ValueOf(*store.Current(), "opswatch_collector_runs_total", "a") == 0);
  executor.RunAll();
  BOOST_TEST(store.AllCollectedOnce());
  auto snap = store.Current();
  BOOST_TEST(ValueOf(*snap, "test_value", "a") == 1);
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_up", "a") == 1);
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_runs_total", "a") == 1);
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_duration_seconds", "a") == 0.02);
  BOOST_TEST((c->last_deadline == clock.SteadyNow() - 20ms + 5s));

  s.Tick();  // not due yet
  BOOST_TEST(executor.tasks.empty());
  clock.Advance(10s);
  s.Tick();
  BOOST_TEST(executor.tasks.size() == 1u);
  c->fail = true;
  executor.RunAll();
  snap = store.Current();
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_up", "a") == 0);
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_failures_total", "a") == 1);
  BOOST_TEST(snap->collectors.at(0).last_error == "boom");
  BOOST_TEST(ValueOf(*snap, "test_value", "a") == 2);  // partial data is still published
}

BOOST_AUTO_TEST_CASE(a_hung_run_times_out_is_skipped_and_others_continue) {
  FakeClock clock;
  NullLogger logger;
  SnapshotStore store(clock);
  ManualExecutor executor;
  auto hung = std::make_shared<CountingCollector>(clock);
  auto healthy = std::make_shared<CountingCollector>(clock);
  store.SetCollectors({{"hung", "test"}, {"healthy", "test"}});
  Scheduler s({Spec("hung", 10s, 3s, hung), Spec("healthy", 10s, 3s, healthy)}, store, clock,
              logger, executor, 3);
  clock.Advance(2s);
  s.Tick();
  BOOST_REQUIRE(executor.tasks.size() == 2u);
  auto hung_task = std::move(executor.tasks.front());  // never run: it hangs
  executor.tasks.pop_front();
  executor.RunAll();

  clock.Advance(3s);  // at the deadline: a collector returning now must still win
  s.Tick();
  BOOST_TEST(ValueOf(*store.Current(), "opswatch_collector_timeouts_total", "hung") == 0);
  clock.Advance(AbandonGrace(3s));  // 300ms later the run is abandoned
  BOOST_TEST((AbandonGrace(3s) == 300ms));
  SteadyTime next = s.Tick();
  auto snap = store.Current();
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_up", "hung") == 0);
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_timeouts_total", "hung") == 1);
  BOOST_TEST(snap->collectors.at(0).last_error == "collection did not finish within 3s");
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_up", "healthy") == 1);
  BOOST_TEST(store.AllCollectedOnce());  // a timeout counts as a finished round
  BOOST_TEST((next <= clock.SteadyNow() + 10s));

  // Next interval: the healthy one runs, the hung one is skipped (no second run piles up).
  clock.Advance(10s);
  s.Tick();
  BOOST_TEST(executor.tasks.size() == 1u);
  executor.RunAll();
  BOOST_TEST(healthy->runs == 2);
  BOOST_TEST(hung->runs == 0);
  BOOST_TEST(s.RunningNow("hung"));

  // The stuck run finally returns: its result is discarded, and the next interval runs again.
  hung_task();
  BOOST_TEST(!s.RunningNow("hung"));
  snap = store.Current();
  BOOST_TEST(ValueOf(*snap, "test_value", "hung") == -1);
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_up", "hung") == 0);
  clock.Advance(10s);
  s.Tick();
  BOOST_TEST(executor.tasks.size() == 2u);
  executor.RunAll();
  BOOST_TEST(ValueOf(*store.Current(), "opswatch_collector_up", "hung") == 1);
}

BOOST_AUTO_TEST_CASE(reload_keeps_counters_of_collectors_that_stay) {
  FakeClock clock;
  SnapshotStore store(clock);
  store.SetCollectors({{"a", "disk"}, {"b", "disk"}});
  RunOutcome outcome;
  outcome.name = "a";
  outcome.ok = true;
  store.RecordRun(outcome);
  store.RecordRun(outcome);
  store.SetCollectors({{"a", "disk"}, {"c", "http"}});
  auto snap = store.Current();
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_runs_total", "a") == 2);
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_runs_total", "b") == -1);
  BOOST_TEST(ValueOf(*snap, "opswatch_collector_runs_total", "c") == 0);
  BOOST_TEST(!store.AllCollectedOnce());
}

BOOST_AUTO_TEST_CASE(foreign_series_keep_their_labels_and_unexposed_ones_stay_off_metrics) {
  FakeClock clock;
  SnapshotStore store(clock);
  store.SetCollectors({{"scribe", "scrape"}});
  RunOutcome outcome;
  outcome.name = "scribe";
  outcome.ok = true;
  outcome.foreign.push_back(Gauge("up", "Up.").Add({{"job", "j"}, {"instance", "a:1"}}, 1));
  outcome.foreign_unexposed.push_back(
      Gauge("scribe_keys", "Keys.").Add({{"job", "j"}, {"instance", "a:1"}}, 7));
  store.RecordRun(outcome);
  auto snap = store.Current();
  const Labels target{{"instance", "a:1"}, {"job", "j"}};
  BOOST_REQUIRE(testing::FindSample(snap->families, "up", target));
  BOOST_TEST(testing::FindSample(snap->families, "up", target)->labels == target);
  BOOST_TEST(!testing::FindFamily(snap->families, "scribe_keys"));
  BOOST_REQUIRE(testing::FindSample(snap->history_only, "scribe_keys", target));
  BOOST_TEST(testing::FindSample(snap->history_only, "scribe_keys", target)->labels == target);
  // A failed run without series takes them out of both lists.
  outcome.ok = false;
  outcome.foreign.clear();
  outcome.foreign_unexposed.clear();
  store.RecordRun(outcome);
  BOOST_TEST(!testing::FindFamily(store.Current()->families, "up"));
  BOOST_TEST(store.Current()->history_only.empty());
}
