#define BOOST_TEST_MODULE log
#include "exporter/log.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/fake_clock.hpp"

namespace opswatch {
namespace {

// Raw invalid bytes in a log line make log pipelines reject or mangle it; they are named instead.
BOOST_AUTO_TEST_CASE(invalid_utf8_is_escaped_in_both_formats) {
  FakeClock clock;
  std::ostringstream logfmt, json;
  StreamLogger(logfmt, LogLevel::kInfo, LogFormat::kLogfmt, clock)
      .Warn("bad caf\xE9", {{"collector", "caf\xE9"}, {"err", "x \xFF y"}});
  BOOST_TEST(logfmt.str() ==
             "ts=2023-11-14T22:13:20.000Z level=warn msg=\"bad caf\\\\xE9\" "
             "collector=caf\\xE9 err=\"x \\\\xFF y\"\n");
  StreamLogger(json, LogLevel::kInfo, LogFormat::kJson, clock)
      .Warn("bad caf\xE9", {{"collector", "caf\xE9"}});
  auto parsed = nlohmann::json::parse(json.str());
  BOOST_TEST(parsed["msg"].get<std::string>() == "bad caf\\xE9");
  BOOST_TEST(parsed["collector"].get<std::string>() == "caf\\xE9");
}

BOOST_AUTO_TEST_CASE(debug_lines_appear_only_at_debug_level) {
  FakeClock clock;
  std::ostringstream debug, info;
  StreamLogger(debug, LogLevel::kDebug, LogFormat::kLogfmt, clock).Debug("collector run finished");
  StreamLogger(info, LogLevel::kInfo, LogFormat::kLogfmt, clock).Debug("collector run finished");
  BOOST_TEST(debug.str().find("level=debug msg=\"collector run finished\"") != std::string::npos);
  BOOST_TEST(info.str().empty());
}

}  // namespace
}  // namespace opswatch
