// The Nagios output parser: status text, performance data with quoted labels, UOM scaling to base
// units, ranges, long text, and what is skipped. One table, one row per case.
#define BOOST_TEST_MODULE command_perfdata
#include "collectors/command/command_perfdata.hpp"

#include <boost/test/unit_test.hpp>

using namespace opswatch;

namespace {

struct Case {
  const char* name;
  const char* text;
  const char* status_text;
  std::vector<Perfdatum> perfdata;
  size_t skipped;
};

constexpr double kMiB = 1024.0 * 1024;

Perfdatum P(std::string label, double value, std::optional<double> warning = std::nullopt,
            std::optional<double> critical = std::nullopt, std::optional<double> min = std::nullopt,
            std::optional<double> max = std::nullopt) {
  return Perfdatum{std::move(label), value, warning, critical, min, max};
}

const Case kCases[] = {
    {"status text only", "OK - all good\n", "OK - all good", {}, 0},
    {"empty output", "", "", {}, 0},
    {"plain value, no unit", "OK | load1=0.5", "OK", {P("load1", 0.5)}, 0},
    {"all fields", "OK | x=5;10;20;0;100", "OK", {P("x", 5, 10, 20, 0, 100)}, 0},
    {"empty fields",
     "OK | x=5;;20;;100",
     "OK",
     {P("x", 5, std::nullopt, 20, std::nullopt, 100)},
     0},
    {"seconds", "OK | time=0.25s;1;2;0", "OK", {P("time", 0.25, 1, 2, 0)}, 0},
    {"milliseconds", "OK | rta=12.5ms;100;500", "OK", {P("rta", 0.0125, 0.1, 0.5)}, 0},
    {"microseconds", "OK | t=250us", "OK", {P("t", 0.00025)}, 0},
    {"percent becomes a ratio",
     "OK | used=85%;80;90;0;100",
     "OK",
     {P("used", 0.85, 0.8, 0.9, 0, 1)},
     0},
    {"bytes", "OK | b=10B", "OK", {P("b", 10)}, 0},
    {"kilobytes", "OK | b=2KB", "OK", {P("b", 2048)}, 0},
    {"megabytes (check_disk)",
     "DISK OK | /=2643MB;5948;5958;0;5968",
     "DISK OK",
     {P("/", 2643 * kMiB, 5948 * kMiB, 5958 * kMiB, 0, 5968 * kMiB)},
     0},
    {"gigabytes", "OK | g=1.5GB", "OK", {P("g", 1.5 * 1024 * kMiB)}, 0},
    {"terabytes", "OK | t=1TB", "OK", {P("t", 1024.0 * 1024 * kMiB)}, 0},
    {"counter", "OK | packets=1234c", "OK", {P("packets", 1234)}, 0},
    {"unknown unit kept as written", "OK | rate=3req/s", "OK", {P("rate", 3)}, 0},
    {"negative and exponent", "OK | temp=-1.5e2", "OK", {P("temp", -150)}, 0},
    {"quoted label with space",
     "OK | 'my disk'=12%;80;90",
     "OK",
     {P("my disk", 0.12, 0.8, 0.9)},
     0},
    {"quoted label with doubled quote", "OK | 'it''s'=1", "OK", {P("it's", 1)}, 0},
    {"quoted label with = inside", "OK | 'a=b'=2", "OK", {P("a=b", 2)}, 0},
    {"several data", "OK | a=1 b=2s  c=3", "OK", {P("a", 1), P("b", 2), P("c", 3)}, 0},
    {"range start:end takes the end", "OK | x=5;10:20;@30:40", "OK", {P("x", 5, 20, 40)}, 0},
    {"open range takes the start", "OK | x=5;10:;~:20", "OK", {P("x", 5, 10, 20)}, 0},
    {"undetermined value skipped", "OK | x=U;1;2 y=1", "OK", {P("y", 1)}, 1},
    {"garbage skipped", "OK | =1 x y=abc z=2", "OK", {P("z", 2)}, 3},
    {"unclosed quote skipped", "OK | 'abc=1", "OK", {}, 1},
    {"inf and nan are not numbers", "OK | a=inf b=nan", "OK", {}, 2},
    {"long text perfdata",
     "DISK OK | a=1\nline two\nline three | b=2\nc=3\n",
     "DISK OK",
     {P("a", 1), P("b", 2), P("c", 3)},
     0},
    {"long text: words after | are not data",
     "WARNING - x\ndetails | are here",
     "WARNING - x",
     {},
     2},
    {"status text trimmed, CRLF", "  CRITICAL - down  \r\n", "CRITICAL - down", {}, 0},
};

}  // namespace

BOOST_AUTO_TEST_CASE(table) {
  for (const Case& c : kCases) {
    BOOST_TEST_CONTEXT(c.name) {
      NagiosOutput out = ParseNagiosOutput(c.text);
      BOOST_TEST(out.status_text == c.status_text);
      BOOST_TEST(out.skipped == c.skipped);
      BOOST_REQUIRE_EQUAL(out.perfdata.size(), c.perfdata.size());
      for (size_t i = 0; i < c.perfdata.size(); ++i) {
        const Perfdatum& got = out.perfdata[i];
        const Perfdatum& want = c.perfdata[i];
        BOOST_TEST(got.label == want.label);
        BOOST_TEST(got.value == want.value, boost::test_tools::tolerance(1e-12));
        auto same = [](std::optional<double> a, std::optional<double> b) {
          return a.has_value() == b.has_value() &&
                 (!a || std::abs(*a - *b) <= 1e-12 * std::abs(*b));
        };
        BOOST_TEST(same(got.warning, want.warning));
        BOOST_TEST(same(got.critical, want.critical));
        BOOST_TEST(same(got.min, want.min));
        BOOST_TEST(same(got.max, want.max));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(labels_are_bounded_and_valid_utf8) {
  std::string text = "OK | '" + std::string(500, 'x') + "'=1 '\xff\xfe'=2";
  NagiosOutput out = ParseNagiosOutput(text);
  BOOST_REQUIRE_EQUAL(out.perfdata.size(), 2u);
  BOOST_TEST(out.perfdata[0].label.size() == kMaxPerfdataLabelBytes);
  BOOST_TEST(out.perfdata[1].label != "\xff\xfe");
}

BOOST_AUTO_TEST_CASE(data_past_the_limit_are_skipped) {
  std::string text = "OK |";
  for (size_t i = 0; i < kMaxPerfdata + 10; ++i) text += " d" + std::to_string(i) + "=1";
  NagiosOutput out = ParseNagiosOutput(text);
  BOOST_TEST(out.perfdata.size() == kMaxPerfdata);
  BOOST_TEST(out.skipped == 10u);
}
