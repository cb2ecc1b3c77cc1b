#define BOOST_TEST_MODULE units
#include "core/units.hpp"

#include <boost/test/unit_test.hpp>

#include "core/labels.hpp"

using namespace opswatch;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(durations_parse_like_prometheus) {
  struct Case {
    const char* text;
    int64_t millis;
  } cases[] = {{"0", 0},           {"500ms", 500},     {"30s", 30000},
               {"5m", 300000},     {"26h", 93600000},  {"7d", 604800000},
               {"1w", 604800000},  {"1h30m", 5400000}, {"1y", 31536000000},
               {"2m3s4ms", 123004}};
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.text) {
      auto d = ParseDuration(c.text);
      BOOST_REQUIRE(d.ok());
      BOOST_TEST(d->count() == c.millis);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_durations_are_rejected) {
  for (const char* text : {"", "5", "5x", "m", "1.5h", "-5s", "5s1m", "1h1h", "30 s", "s30",
                           "99999999999999999999s", "9223372036854775807y"}) {
    BOOST_TEST_CONTEXT(text) {
      auto d = ParseDuration(text);
      BOOST_TEST(!d.ok());
      BOOST_TEST(d.error() == "invalid duration \"" + std::string(text) +
                                  "\" (use e.g. 500ms, 30s, 5m, 26h, 7d)");
    }
  }
}

BOOST_AUTO_TEST_CASE(durations_format_shortest) {
  BOOST_TEST(FormatDuration(0ms) == "0s");
  BOOST_TEST(FormatDuration(90000ms) == "1m30s");
  BOOST_TEST(FormatDuration(500ms) == "500ms");
  BOOST_TEST(FormatDuration(14 * 24h) == "2w");   // Prometheus's spelling, not 14d
  BOOST_TEST(FormatDuration(9 * 24h) == "9d");    // weeks only when exact, not 1w2d
  BOOST_TEST(FormatDuration(365 * 24h) == "1y");  // and years
  BOOST_TEST(FormatDuration(366 * 24h) == "366d");
  BOOST_TEST(FormatDuration(26h) == "1d2h");
  BOOST_TEST(FormatDuration(1500ms) == "1s500ms");
}

BOOST_AUTO_TEST_CASE(sizes_parse_decimal_and_binary_units) {
  struct Case {
    const char* text;
    uint64_t bytes;
  } cases[] = {{"0", 0},
               {"1024", 1024},
               {"10KiB", 10240},
               {"5MiB", 5 * 1024 * 1024},
               {"2GiB", 2ull << 30},
               {"1GB", 1000000000},
               {"1.5KiB", 1536},
               {"3TB", 3000000000000},
               {"12B", 12}};
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.text) {
      auto s = ParseSize(c.text);
      BOOST_REQUIRE(s.ok());
      BOOST_TEST(*s == c.bytes);
    }
  }
  for (const char* bad : {"", "KiB", "10 XB", "1e3", "-1", "10kib"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!ParseSize(bad).ok()); }
  }
}

BOOST_AUTO_TEST_CASE(labels_are_sorted_and_empty_values_remove) {
  Labels l{{"b", "2"}, {"a", "1"}};
  BOOST_TEST(l.ToString() == "{a=\"1\", b=\"2\"}");
  l.Set("a", "");
  BOOST_TEST(l.ToString() == "{b=\"2\"}");
  l.Set("c", "x\"y\n");
  BOOST_TEST(l.ToString() == "{b=\"2\", c=\"x\\\"y\\n\"}");
  Labels m{{"b", "2"}, {"c", "x\"y\n"}};
  BOOST_TEST(l.Fingerprint() == m.Fingerprint());
  Labels bc{{"a", "bc"}};
  Labels ab{{"ab", "c"}};
  BOOST_TEST(bc.Fingerprint() != ab.Fingerprint());
}
