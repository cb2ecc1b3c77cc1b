#define BOOST_TEST_MODULE time_format
#include "core/time_format.hpp"

#include <boost/test/unit_test.hpp>

using namespace opswatch;
using namespace std::chrono_literals;

namespace {
// 2023-11-14T22:13:20Z
const SystemTime kT0 = SystemTime(std::chrono::seconds(1'700'000'000));
}  // namespace

BOOST_AUTO_TEST_CASE(millis_always_have_three_digits) {
  BOOST_TEST(FormatRfc3339Millis(kT0) == "2023-11-14T22:13:20.000Z");
  BOOST_TEST(FormatRfc3339Millis(kT0 + 357ms) == "2023-11-14T22:13:20.357Z");
  BOOST_TEST(FormatRfc3339Millis(kT0 - 1ms) == "2023-11-14T22:13:19.999Z");
}

BOOST_AUTO_TEST_CASE(nano_is_go_rfc3339nano) {
  BOOST_TEST(FormatRfc3339Nano(SystemTime{}) == "0001-01-01T00:00:00Z");  // Go's zero time
  BOOST_TEST(FormatRfc3339Nano(kT0) == "2023-11-14T22:13:20Z");
  BOOST_TEST(FormatRfc3339Nano(kT0 + 1500ms) == "2023-11-14T22:13:21.5Z");
  BOOST_TEST(FormatRfc3339Nano(kT0 + 1ns * 7) == "2023-11-14T22:13:20.000000007Z");
  BOOST_TEST(FormatRfc3339Nano(SystemTime(-1500ms)) == "1969-12-31T23:59:58.5Z");
}

BOOST_AUTO_TEST_CASE(go_time_string_is_time_time_string) {
  BOOST_TEST(FormatGoTimeString(1'700'000'000, 0) == "2023-11-14 22:13:20 +0000 UTC");
  BOOST_TEST(FormatGoTimeString(1'700'000'000, 250'000'000) == "2023-11-14 22:13:20.25 +0000 UTC");
  BOOST_TEST(FormatGoTimeString(0, 1) == "1970-01-01 00:00:00.000000001 +0000 UTC");
}
