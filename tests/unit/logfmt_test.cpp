// logfmt lines as go-logfmt and the common loggers write them: typed unquoted values, quoted
// values with escapes, bare flags, empty values, and the lines that are not logfmt.
#define BOOST_TEST_MODULE logfmt
#include "collectors/log/logfmt.hpp"

#include <boost/test/unit_test.hpp>

using namespace opswatch;
using nlohmann::json;

BOOST_AUTO_TEST_CASE(typical_lines) {
  struct Case {
    const char* line;
    json want;
  };
  const Case cases[] = {
      {R"(level=warn msg="disk slow" took_ms=2150 retry)",
       {{"level", "warn"}, {"msg", "disk slow"}, {"took_ms", 2150}, {"retry", true}}},
      {R"(ts=2026-12-03T10:00:00Z caller=main.go:42 ok=false ratio=-0.5 exp=1e3)",
       {{"ts", "2026-12-03T10:00:00Z"},
        {"caller", "main.go:42"},
        {"ok", false},
        {"ratio", -0.5},
        {"exp", 1000.0}}},
      // Quoted values are always text, even when they look like numbers.
      {R"(code="200" empty= quoted_empty="")",
       {{"code", "200"}, {"empty", ""}, {"quoted_empty", ""}}},
      {R"(msg="say \"hi\"\n\tthen \\ go \u00e9")", {{"msg", "say \"hi\"\n\tthen \\ go \xc3\xa9"}}},
      // Not numbers in JSON's grammar: stay text.
      {"v=0x10 w=1. x=+1 y=NaN z=01",
       {{"v", "0x10"}, {"w", "1."}, {"x", "+1"}, {"y", "NaN"}, {"z", "01"}}},
      // Spacing, tabs, a repeated key (the last wins), '=' inside a value (base64 padding).
      {"  a=1\t\tb=x==  a=2 ", {{"a", 2}, {"b", "x=="}}},
      {"", json::object()},
      {"user.id=42 http.status=503", {{"user.id", 42}, {"http.status", 503}}},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.line) {
      auto got = ParseLogfmt(c.line);
      BOOST_TEST_REQUIRE(got.has_value());
      BOOST_TEST(got->dump() == c.want.dump());
    }
  }
}

BOOST_AUTO_TEST_CASE(lines_that_are_not_logfmt) {
  for (const char* line : {
           R"(msg="unterminated)",
           R"(msg="bad \q escape")",
           R"(msg="short \u12")",
           R"(msg="surrogate \ud800")",
           "=value",
           "a=1 =2",
           R"(a=b"c)",
           R"(a"b=1)",
           R"(msg="x"y)",
           R"(msg="trailing backslash \)",
       }) {
    BOOST_TEST_CONTEXT(line) { BOOST_TEST(!ParseLogfmt(line).has_value()); }
  }
}
