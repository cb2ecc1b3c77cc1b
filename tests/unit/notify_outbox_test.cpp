#define BOOST_TEST_MODULE notify_outbox
#include <sys/stat.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>

#include "notify/outbox.hpp"
#include "tests/support/temp_dir.hpp"

namespace opswatch::notify {
namespace {

// A FIFO in state_dir/notifications blocked start-up in open(): collectors never ran and
// /health hung. Entries that are not regular files are skipped and named, never opened blocking.
BOOST_AUTO_TEST_CASE(entries_that_are_not_regular_files_are_skipped_and_named) {
  testing::TempDir dir;
  auto fs = MakePosixOutboxFs();
  Outbox outbox(*fs, dir.path().string());
  Notification n;
  n.receiver = "ops";
  n.key = "{}:{alertname=\"A\"}";
  n.seq = 3;
  n.body = "{}";
  outbox.Put(n);
  BOOST_REQUIRE(outbox.Sync().ok());
  BOOST_REQUIRE(::mkfifo(dir.Join("ops-fifo.json").c_str(), 0600) == 0);
  std::filesystem::create_symlink("/dev/zero", dir.Join("ops-zero.json"));
  std::filesystem::create_directory(dir.Join("ops-dir.json"));

  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> problems;
  auto loaded = outbox.Load(problems);
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(5)));
  BOOST_REQUIRE(loaded.ok());
  BOOST_REQUIRE(loaded->size() == 1u);
  BOOST_TEST(loaded->at(0).seq == 3u);
  std::sort(problems.begin(), problems.end());
  BOOST_TEST(problems == (std::vector<std::string>{"ops-dir.json: is a directory",
                                                   "ops-fifo.json: is not a regular file (FIFO)",
                                                   "ops-zero.json: is not a regular file "
                                                   "(character device)"}),
             boost::test_tools::per_element());
}

}  // namespace
}  // namespace opswatch::notify
