#define BOOST_TEST_MODULE disk_collector
#include "collectors/disk/disk_collector.hpp"

#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <mutex>

#include "core/fake_clock.hpp"
#include "tests/support/metric_lookup.hpp"

using namespace opswatch;
using namespace std::chrono_literals;

namespace {

// Serves fixed stats, except for paths marked as hung: those block until Release().
class FakeStatter final : public DiskStatter {
 public:
  Result<DiskStats> Stat(const std::string& path) override {
    std::unique_lock lock(mu);
    ++calls[path];
    if (path == "/missing")
      return Result<DiskStats>::Error("statvfs /missing: No such file or directory");
    cv.wait(lock, [&] { return !hung.count(path); });
    DiskStats s;
    s.size_bytes = 1000;
    s.free_bytes = 300;
    s.avail_bytes = 250;
    s.files = 100;
    s.files_free = 40;
    s.readonly = path == "/ro";
    return s;
  }
  Result<std::string> ReadMountInfo() override {
    return std::string(
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "30 22 0:40 / /mnt/nfs rw shared:2 - nfs4 server:/export rw\n"
        "31 22 8:2 / /ro ro shared:3 - xfs /dev/sdb1 ro\n"
        "32 22 8:3 / /mnt/with\\040space rw shared:4 - ext4 /dev/sdc1 rw\n"
        "33 22 8:4 / /latin rw shared:5 - ext4 /dev/disk/by-label/caf\\351 rw\n");
  }
  void Release(const std::string& path) {
    std::lock_guard lock(mu);
    hung.erase(path);
    cv.notify_all();
  }
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string> hung;
  std::map<std::string, int> calls;
};

const Sample* Find(const CollectResult& r, const std::string& family, const std::string& path) {
  return testing::FindSample(r.families, family, {{"path", path}});
}

}  // namespace

BOOST_AUTO_TEST_CASE(mountinfo_parsing_and_longest_prefix_match) {
  auto statter = std::make_shared<FakeStatter>();
  auto mounts = ParseMountInfo(*statter->ReadMountInfo());
  BOOST_REQUIRE(mounts.size() == 5u);
  BOOST_TEST(mounts[3].mountpoint == "/mnt/with space");
  BOOST_TEST(FindMount(mounts, "/var/lib").mountpoint == "/");
  BOOST_TEST(FindMount(mounts, "/mnt/nfs/backups").fstype == "nfs4");
  BOOST_TEST(FindMount(mounts, "/mnt/nfsother").mountpoint == "/");
  BOOST_TEST(FindMount(mounts, "/ro").device == "/dev/sdb1");
}

BOOST_AUTO_TEST_CASE(values_labels_and_errors) {
  FakeClock clock;
  auto statter = std::make_shared<FakeStatter>();
  DiskCollector collector(DiskConfig{{"/", "/ro", "/missing"}}, statter, clock);
  CollectResult r = collector.Collect(RunContext{clock.SteadyNow() + 5s});
  const Sample* size = Find(r, "opswatch_disk_size_bytes", "/");
  BOOST_REQUIRE(size);
  BOOST_TEST(size->value == 1000);
  BOOST_TEST(size->labels.Get("mountpoint") == "/");
  BOOST_TEST(size->labels.Get("fstype") == "ext4");
  BOOST_TEST(size->labels.Get("device") == "/dev/sda1");
  BOOST_TEST(Find(r, "opswatch_disk_avail_bytes", "/")->value == 250);
  BOOST_TEST(Find(r, "opswatch_disk_free_bytes", "/")->value == 300);
  BOOST_TEST(Find(r, "opswatch_disk_files_free", "/")->value == 40);
  BOOST_TEST(Find(r, "opswatch_disk_readonly", "/ro")->value == 1);
  BOOST_TEST(Find(r, "opswatch_disk_readonly", "/")->value == 0);
  BOOST_TEST(!Find(r, "opswatch_disk_size_bytes", "/missing"));
  BOOST_TEST(!r.status.ok());
  BOOST_TEST(r.status.message() == "statvfs /missing: No such file or directory");
}

BOOST_AUTO_TEST_CASE(a_hung_stat_marks_the_path_stuck_without_piling_up_threads) {
  FakeClock clock;
  auto statter = std::make_shared<FakeStatter>();
  statter->hung.insert("/mnt/nfs");
  DiskCollector collector(DiskConfig{{"/", "/mnt/nfs"}}, statter, clock);
  // The deadline is 50ms of real waiting from the fake clock's now: the stat of "/" returns at
  // once, the NFS one never does.
  CollectResult r1 = collector.Collect(RunContext{clock.SteadyNow() + 50ms});
  BOOST_TEST(Find(r1, "opswatch_disk_stuck", "/mnt/nfs")->value == 1);
  BOOST_TEST(Find(r1, "opswatch_disk_stuck", "/")->value == 0);
  BOOST_TEST(!Find(r1, "opswatch_disk_size_bytes", "/mnt/nfs"));
  BOOST_TEST(Find(r1, "opswatch_disk_size_bytes", "/")->value == 1000);
  BOOST_TEST(r1.status.message() == "/mnt/nfs: stat did not return before the deadline");

  CollectResult r2 = collector.Collect(RunContext{clock.SteadyNow() + 50ms});
  BOOST_TEST(Find(r2, "opswatch_disk_stuck", "/mnt/nfs")->value == 1);
  {
    std::lock_guard lock(statter->mu);
    BOOST_TEST(statter->calls["/mnt/nfs"] == 1);  // no second thread on the hung mount
    BOOST_TEST(statter->calls["/"] == 2);
  }
  statter->Release("/mnt/nfs");
  CollectResult r3 = collector.Collect(RunContext{clock.SteadyNow() + 5s});
  BOOST_TEST(Find(r3, "opswatch_disk_stuck", "/mnt/nfs")->value == 0);
  BOOST_TEST(Find(r3, "opswatch_disk_size_bytes", "/mnt/nfs")->value == 1000);
  BOOST_TEST(r3.status.ok());
}

// The mount table is outside text: a Latin-1 label (\351 in mountinfo) must not reach /metrics
// raw (Prometheus rejects the exposition) nor a JSON dump (nlohmann throws).
BOOST_AUTO_TEST_CASE(mount_table_text_is_sanitised_into_labels) {
  FakeClock clock;
  auto statter = std::make_shared<FakeStatter>();
  DiskCollector collector(DiskConfig{{"/latin"}}, statter, clock);
  CollectResult r = collector.Collect(RunContext{clock.SteadyNow() + 5s});
  const Sample* size = Find(r, "opswatch_disk_size_bytes", "/latin");
  BOOST_REQUIRE(size);
  BOOST_TEST(size->labels.Get("device") == "/dev/disk/by-label/caf\xEF\xBF\xBD");
}
