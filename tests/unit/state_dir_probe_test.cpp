// StateDirProbe: a refresh runs on a detached thread (the state dir may sit on a hung mount), so
// that thread must own what it uses. Before, it borrowed the App's statter; a refresh still
// running when the App was destroyed (seen at the exit of --once under ASan) called into a dead
// object.
#define BOOST_TEST_MODULE state_dir_probe
#include "exporter/state_dir_probe.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

using namespace opswatch;
using namespace std::chrono_literals;

namespace {

// Blocks every Stat until the gate opens; the gate outlives the statter.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;  // GUARDED_BY(mu)
  bool open = false;     // GUARDED_BY(mu)
};

class GatedStatter final : public DiskStatter {
 public:
  explicit GatedStatter(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}
  Result<DiskStats> Stat(const std::string&) override {
    std::unique_lock lock(gate_->mu);
    gate_->entered = true;
    gate_->cv.notify_all();
    gate_->cv.wait(lock, [&] { return gate_->open; });
    DiskStats stats;
    stats.avail_bytes = 42;
    return stats;
  }
  Result<std::string> ReadMountInfo() override { return std::string(); }

 private:
  std::shared_ptr<Gate> gate_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_refresh_in_flight_keeps_the_statter_alive_after_the_probe_is_gone) {
  auto gate = std::make_shared<Gate>();
  auto statter = std::make_shared<GatedStatter>(gate);
  std::weak_ptr<GatedStatter> weak = statter;
  {
    StateDirProbe probe(statter);
    probe.SetPath("/state");
    probe.Refresh();
    std::unique_lock lock(gate->mu);
    BOOST_TEST_REQUIRE(gate->cv.wait_for(lock, 30s, [&] { return gate->entered; }));
  }
  statter.reset();  // the probe and its owner are gone; only the refresh thread is left
  BOOST_TEST(!weak.expired());
  {
    std::lock_guard lock(gate->mu);
    gate->open = true;
  }
  gate->cv.notify_all();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!weak.expired() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  BOOST_TEST(weak.expired());  // released by the thread once it finished
}
