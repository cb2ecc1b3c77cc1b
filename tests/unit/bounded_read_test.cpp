#define BOOST_TEST_MODULE bounded_read
#include "core/bounded_read.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>

#include "core/units.hpp"
#include "tests/support/temp_dir.hpp"

namespace opswatch {
namespace {

BOOST_AUTO_TEST_CASE(regular_files_are_read_whole_up_to_the_limit) {
  testing::TempDir dir;
  BOOST_TEST(*ReadBoundedFile(dir.Write("a", "token\n"), 64) == "token\n");
  BOOST_TEST(*ReadBoundedFile(dir.Write("empty", ""), 64) == "");
  BOOST_TEST(*ReadBoundedFile(dir.Write("exact", std::string(64, 'x')), 64) ==
             std::string(64, 'x'));
  BOOST_TEST(ReadBoundedFile(dir.Write("big", std::string(65, 'x')), 64).error() ==
             "is larger than 64 bytes");
  BOOST_TEST(ReadBoundedFile(dir.Join("missing"), 64).error() == "No such file or directory");
}

BOOST_AUTO_TEST_CASE(a_directory_says_so) {
  testing::TempDir dir;
  BOOST_TEST(ReadBoundedFile(dir.path().string(), kSecretFileLimit).error() == "is a directory");
}

// A FIFO must not block the open (start-up hung on one in state_dir/notifications).
BOOST_AUTO_TEST_CASE(a_fifo_is_refused_without_blocking) {
  testing::TempDir dir;
  std::string fifo = dir.Join("fifo");
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto start = std::chrono::steady_clock::now();
  auto read = ReadBoundedFile(fifo, kStateFileLimit);
  BOOST_TEST(read.error() == "is not a regular file (FIFO)");
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(5)));
}

// /dev/zero reports size 0 and never ends: refused as a device before any byte is read.
BOOST_AUTO_TEST_CASE(devices_and_links_to_them_are_refused) {
  testing::TempDir dir;
  BOOST_TEST(ReadBoundedFile("/dev/zero", kConfigFileLimit).error() ==
             "is not a regular file (character device)");
  std::filesystem::create_symlink("/dev/zero", dir.Join("alerts.json"));
  BOOST_TEST(ReadBoundedFile(dir.Join("alerts.json"), kStateFileLimit).error() ==
             "is not a regular file (character device)");
}

// /proc files say size 0 but have content: read up to the cap all the same.
BOOST_AUTO_TEST_CASE(files_that_understate_their_size_are_read_to_the_cap) {
  auto status = ReadBoundedFile("/proc/self/status", kConfigFileLimit);
  BOOST_REQUIRE(status.ok());
  BOOST_TEST(status->find("Name:") != std::string::npos);
  BOOST_TEST(ReadBoundedFile("/proc/self/status", 16).error() == "is larger than 16 bytes");
}

BOOST_AUTO_TEST_CASE(limits_are_named_in_binary_units) {
  BOOST_TEST(FormatSize(kConfigFileLimit) == "16 MiB");
  BOOST_TEST(FormatSize(kSecretFileLimit) == "64 KiB");
  BOOST_TEST(FormatSize(1000) == "1000 bytes");
  BOOST_TEST(FormatSize(0) == "0 bytes");
}

}  // namespace
}  // namespace opswatch
