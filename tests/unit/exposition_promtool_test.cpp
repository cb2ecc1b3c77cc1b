// The exposition parser beside Prometheus's own tooling: the real `promtool check metrics`
// (Debian's prometheus package) parses the text format with a different parser than scrapes use,
// so on well-formed expositions both must agree, and on a malformed one both must refuse.
#define BOOST_TEST_MODULE exposition_promtool
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "collectors/exposition_parser.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace opswatch {
namespace {

// promtool exits 0 when clean, 3 when it only has lint remarks, 1 when it cannot parse.
testing::CommandResult Promtool(const std::string& exposition) {
  testing::TempDir dir;
  const std::string file = dir.Write("metrics.prom", exposition);
  return testing::RunShell("promtool check metrics < '" + file + "'");
}

const std::vector<std::string> kWellFormed = {
    R"(# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"} 3 1395066363000
)",
    R"(# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
)",
    R"(# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.99"} NaN
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
)",
    R"(# HELP escaped_info Escapes: backslash \\ and newline \n in help.
# TYPE escaped_info gauge
escaped_info{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
escaped_info{path="/",error=""} -Inf
# A plain comment.

untyped_metric{a="1"} +Inf
)",
};

BOOST_AUTO_TEST_CASE(promtool_is_installed) {
  auto result = testing::RunCommand({"promtool", "--version"});
  BOOST_REQUIRE_MESSAGE(result.exit_code == 0, "promtool not runnable: " + result.err);
}

BOOST_AUTO_TEST_CASE(well_formed_expositions_pass_both) {
  for (const auto& exposition : kWellFormed) {
    auto ours = ParseExposition(exposition, ExpositionFormat::kPrometheusText);
    BOOST_TEST(ours.ok(), (ours.ok() ? "" : ours.error()) << "\n" << exposition);
    auto promtool = Promtool(exposition);
    BOOST_TEST((promtool.exit_code == 0 || promtool.exit_code == 3), "promtool check metrics:\n"
                                                                         << promtool.out
                                                                         << promtool.err << "\n"
                                                                         << exposition);
    BOOST_TEST(promtool.err.find("parsing error") == std::string::npos, promtool.err);
  }
}

BOOST_AUTO_TEST_CASE(malformed_expositions_fail_both) {
  for (const std::string exposition :
       {"a{b='c'} 1\n", "a 1 x\n", "a{b=\"c\"} 1_000\n", "# TYPE a foo\na 1\n", "{a=\"b\"} 1\n"}) {
    BOOST_TEST(!ParseExposition(exposition, ExpositionFormat::kPrometheusText).ok(), exposition);
    auto promtool = Promtool(exposition);
    BOOST_TEST(promtool.exit_code == 1, exposition << promtool.out << promtool.err);
  }
}

}  // namespace
}  // namespace opswatch
