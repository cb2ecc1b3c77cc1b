#define BOOST_TEST_MODULE humanize
#include "core/humanize.hpp"

#include <boost/test/unit_test.hpp>
#include <limits>

namespace opswatch {
namespace {

BOOST_AUTO_TEST_CASE(humanize_functions_match_prometheus) {
  BOOST_TEST(Humanize(0) == "0");
  BOOST_TEST(Humanize(1234567) == "1.235M");
  BOOST_TEST(Humanize(1000) == "1k");
  BOOST_TEST(Humanize(0.00123) == "1.23m");
  BOOST_TEST(Humanize(-2500) == "-2.5k");
  BOOST_TEST(Humanize1024(1024) == "1ki");
  BOOST_TEST(Humanize1024(1536 * 1024.0 * 1024.0) == "1.5Gi");
  BOOST_TEST(Humanize1024(0.5) == "0.5");
  BOOST_TEST(HumanizeDuration(0) == "0s");
  BOOST_TEST(HumanizeDuration(1.5) == "1.5s");
  BOOST_TEST(HumanizeDuration(93784) == "1d 2h 3m 4s");
  BOOST_TEST(HumanizeDuration(3600) == "1h 0m 0s");
  BOOST_TEST(HumanizeDuration(90) == "1m 30s");
  BOOST_TEST(HumanizeDuration(0.25) == "250ms");
  BOOST_TEST(HumanizeDuration(-90) == "-1m 30s");
  BOOST_TEST(HumanizePercentage(0.0523) == "5.23%");
  BOOST_TEST(HumanizePercentage(1) == "100%");
  BOOST_TEST(Humanize(std::numeric_limits<double>::infinity()) == "+Inf");
}

}  // namespace
}  // namespace opswatch
