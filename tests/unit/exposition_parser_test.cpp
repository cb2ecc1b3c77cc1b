// The exposition parser against the cases Prometheus 2.42's own parser tests use: what both
// formats accept, what they reject and where.
#define BOOST_TEST_MODULE exposition_parser
#include "collectors/exposition_parser.hpp"

#include <boost/test/unit_test.hpp>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "collectors/exposition_float.hpp"
#include "collectors/exposition_lexing.hpp"

namespace opswatch {
namespace {

using namespace std::string_literals;

using Format = ExpositionFormat;

// One sample as a line: name{labels} value [@timestamp], the value in its shortest form.
std::string Describe(const ExposedSample& sample) {
  char value[64];
  auto end = std::to_chars(value, value + sizeof value, sample.series.value).ptr;  // shortest
  std::string out =
      sample.series.name + sample.series.labels.ToString() + " " + std::string(value, end);
  if (sample.timestamp_ms) out += " @" + std::to_string(*sample.timestamp_ms);
  return out;
}

std::vector<std::string> Describe(const ParsedExposition& parsed) {
  std::vector<std::string> out;
  for (const auto& sample : parsed.samples) out.push_back(Describe(sample));
  return out;
}

ParsedExposition MustParse(std::string_view text, Format format, ExpositionLimits limits = {}) {
  auto parsed = ParseExposition(text, format, limits);
  BOOST_REQUIRE_MESSAGE(parsed.ok(), "unexpected error: " << (parsed.ok() ? "" : parsed.error()));
  return std::move(parsed).value();
}

std::string ErrorOf(std::string_view text, Format format, ExpositionLimits limits = {}) {
  auto parsed = ParseExposition(text, format, limits);
  return parsed.ok() ? "(accepted)" : parsed.error();
}

struct RejectCase {
  std::string input;
  std::string error;  // the start of the message, with its line:col
};

void CheckRejects(const std::vector<RejectCase>& cases, Format format) {
  for (const auto& c : cases) {
    const std::string error = ErrorOf(c.input, format);
    BOOST_TEST(error.starts_with(c.error), "input " << exposition::QuoteForError(c.input, 200)
                                                    << "\n  got:      " << error
                                                    << "\n  expected: " << c.error);
  }
}

void CheckAccepts(const std::vector<std::string>& inputs, Format format) {
  for (const auto& input : inputs) {
    BOOST_TEST(ErrorOf(input, format) == "(accepted)",
               "input " << exposition::QuoteForError(input, 200));
  }
}

BOOST_AUTO_TEST_CASE(text_format_reads_what_prometheus_reads) {
  std::string input = R"(# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# 	TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
go_gc_duration_seconds{quantile="0.8", a="b"} 8.3835e-05
go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05
# Hrandom comment starting with prefix of HELP
#
wind_speed{A="2",c="3"} 12345
# comment with escaped \n newline
# comment with escaped \ escape character
# HELP nohelp1
# HELP nohelp2 
go_gc_duration_seconds{ quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile= "1.0", a= "b", } 8.3835e-05
go_gc_duration_seconds { quantile = "1.0", a = "b" } 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"}	1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33  	123123
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\"bar\""} 1)";
  input += "\n# HELP metric foo\x00"s + "bar";
  input += "\nnull_byte_metric{a=\"abc\x00\"} 1"s;

  const ParsedExposition parsed = MustParse(input, Format::kPrometheusText);
  const std::vector<std::string> expected = {
      R"(go_gc_duration_seconds{quantile="0"} 4.9351e-05)",
      R"(go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05)",
      R"(go_gc_duration_seconds{a="b", quantile="0.5"} 8.3835e-05)",
      R"(go_gc_duration_seconds{a="b", quantile="0.8"} 8.3835e-05)",
      R"(go_gc_duration_seconds{a="b", quantile="0.9"} 8.3835e-05)",
      R"(wind_speed{A="2", c="3"} 12345)",
      R"(go_gc_duration_seconds{a="b", quantile="1.0"} 8.3835e-05)",
      R"(go_gc_duration_seconds{a="b", quantile="1.0"} 8.3835e-05)",
      R"(go_gc_duration_seconds{a="b", quantile="1.0"} 8.3835e-05)",
      R"(go_gc_duration_seconds{a="b", quantile="1.0"} 8.3835e-05)",
      R"(go_gc_duration_seconds_count{} 99)",
      R"(some:aggregate:rate5m{a_b="c"} 1)",
      R"(go_goroutines{} 33 @123123)",
      R"(_metric_starting_with_underscore{} 1)",
      R"(testmetric{_label_starting_with_underscore="foo"} 1)",
      R"(testmetric{label="\"bar\""} 1)",
      "null_byte_metric{a=\"abc\0\"} 1"s,
  };
  BOOST_TEST(Describe(parsed) == expected, boost::test_tools::per_element());

  auto family_of = [&](size_t sample) { return parsed.families[parsed.samples[sample].family]; };
  BOOST_TEST(family_of(0).name == "go_gc_duration_seconds");
  BOOST_TEST(ExposedTypeName(family_of(0).type) == ExposedTypeName(ExposedType::kSummary));
  BOOST_TEST(*family_of(0).help == "A summary of the GC invocation durations.");
  BOOST_TEST(family_of(6).name == "go_gc_duration_seconds");  // found again by its name
  BOOST_TEST(family_of(5).name == "wind_speed");
  BOOST_TEST(!family_of(5).help.has_value());
  BOOST_TEST(ExposedTypeName(family_of(12).type) == ExposedTypeName(ExposedType::kGauge));
  std::vector<std::string> names;
  for (const auto& family : parsed.families) names.push_back(family.name);
  const std::vector<std::string> expected_names = {"go_gc_duration_seconds",
                                                   "wind_speed",
                                                   "nohelp1",
                                                   "nohelp2",
                                                   "go_gc_duration_seconds_count",
                                                   "some:aggregate:rate5m",
                                                   "go_goroutines",
                                                   "_metric_starting_with_underscore",
                                                   "testmetric",
                                                   "metric",
                                                   "null_byte_metric"};
  BOOST_TEST(names == expected_names, boost::test_tools::per_element());
  BOOST_TEST(*parsed.families[2].help == "");
  BOOST_TEST(*parsed.families[3].help == "");
  BOOST_TEST(*parsed.families[9].help == "foo\0bar"s);
}

BOOST_AUTO_TEST_CASE(text_format_help_escapes_and_metadata_text) {
  const ParsedExposition parsed = MustParse(
      "# HELP a escape \\\\ \\n \\\" \\x chars\n# HELP b\ttab separated\n# HELP c  two spaces\n"
      "# HELP d-odd separator\n#\t TYPE \t e counter\n",
      Format::kPrometheusText);
  BOOST_REQUIRE(parsed.families.size() == 5u);
  BOOST_TEST(*parsed.families[0].help == "escape \\ \n \\\" \\x chars");  // \" stays in 0.0.4
  BOOST_TEST(*parsed.families[1].help == "tab separated");
  BOOST_TEST(*parsed.families[2].help == " two spaces");
  BOOST_TEST(parsed.families[3].name == "d");
  BOOST_TEST(*parsed.families[3].help == "odd separator");
  BOOST_TEST(ExposedTypeName(parsed.families[4].type) == ExposedTypeName(ExposedType::kCounter));
}

BOOST_AUTO_TEST_CASE(text_format_rejects_what_prometheus_rejects) {
  CheckRejects(
      {
          {"a", "1:2: expected value after metric, got end of input"},
          {"a{b='c'} 1\n", "1:5: expected label value, got \"'\""},
          {"a{b=\n", "1:5: expected label value, got \"\\n\""},
          {"a{\xff=\"foo\"} 1\n", "1:3: expected label name, got \"\\xFF\""},
          {"a{b=\"\xff\"} 1\n", "1:5: invalid UTF-8 label value: \"\\xFF\""},
          {"a true\n", "1:3: expected a float value, got \"true\""},
          {"something_weird{problem=\"", "1:25: expected label value, got an unterminated"},
          {"empty_label_name{=\"\"} 0", "1:18: expected label name, got \"=\""},
          {"foo 1_2\n", "1:5: unsupported character in float value \"1_2\""},
          {"foo 0x1p-3\n", "1:5: unsupported character in float value"},
          {"foo 0x1P-3\n", "1:5: unsupported character in float value"},
          {"foo 0x10\n", "1:5: expected a float value, got \"0x10\""},
          {"foo 0 1_2\n", "1:8: expected next entry after timestamp, got \"_2\""},
          {"{a=\"ok\"} 1", "1:1: expected a valid start token, got \"{\""},
          {"# TYPE #\n", "1:8: expected metric name after TYPE, got \"#\""},
          {"# HELP #\n", "1:8: expected metric name after HELP, got \"#\""},
          {"# HELP \n", "1:8: expected metric name after HELP, got \"\\n\""},
          {"# TYPE a counter \n", "1:10: invalid metric type \"counter \""},
          {"# TYPE a  counter\n", "1:10: invalid metric type \" counter\""},
          {"# TYPE a info\n", "1:10: invalid metric type \"info\""},
          {"# TYPE m\n", "1:9: invalid metric type \"\""},
          {"# HELP a \xff\n", "1:10: help text \"\\xFF\" is not a valid utf8 string"},
          {"a 1 -1\n", "1:5: expected timestamp or new record, got \"-\""},
          {"a 1 1.5\n", "1:6: expected next entry after timestamp, got \".\""},
          {"a 1 2 3\n", "1:7: expected next entry after timestamp, got \"3\""},
          {"a 1 9223372036854775808\n", "1:5: timestamp \"9223372036854775808\" out of range"},
          {"a 1e400\n", "1:3: value \"1e400\" out of range"},
          {"a{b=\"c\"} {\n", "1:10: expected value after metric, got \"{\""},
          {"a{,b=\"c\"} 1\n", "1:3: expected label name, got \",\""},
          {"a{b=\"c\",,} 1\n", "1:9: expected label name, got \",\""},
          {"a{b=\"c\"=} 1\n", "1:8: expected label name, got \"=\""},
          {"a{b:c=\"d\"} 1\n", "1:4: expected equal, got \":c\""},
          {"a{b=\"\\\nc\"} 1\n", "1:5: expected label value, got an unterminated"},
          {"a{b=\"1\",b=\"2\"} 1\n", "1:1: label name \"b\" is not unique (metric: a)"},
          {"a{__name__=\"x\"} 1\n", "1:1: label name \"__name__\" is not unique"},
          {"a 1\nb 2\nc{d=x} 3\n", "3:5: expected label value, got \"x\""},
          {"a 1\n\x00"s, "2:1: expected a valid start token, got \"\\x00\""},
          {"a 1\r\n", "1:3: expected a float value, got \"1\\x0D\""},
          {"a{b=\"multi\nline\"} 1\nc{=} 1\n", "3:3: expected label name"},
      },
      Format::kPrometheusText);
}

BOOST_AUTO_TEST_CASE(text_format_nul_bytes_as_prometheus_handles_them) {
  CheckAccepts({"null_byte_metric{a=\"abc\x00\"} 1"s, "a{b=\"\x00ss\"} 1\n"s, "a{b=\"\x00\"} 1\n"s,
                "# comment \x00 with nul\na 1\n"s},
               Format::kPrometheusText);
  CheckRejects(
      {
          {"a{b=\x00\"ssss\"} 1\n"s, "1:5: expected label value, got \"\\x00\""},
          {"a{b=\"\x00"s, "1:5: expected label value, got an unterminated"},
          {"a{b\x00=\"hiih\"}\t1"s, "1:4: expected equal, got \"\\x00\""},
          {"a\x00{b=\"ddd\"} 1"s, "1:2: expected value after metric"},
          {"a 0 1\x00"s, "1:6: expected next entry after timestamp, got \"\\x00\""},
      },
      Format::kPrometheusText);
}

BOOST_AUTO_TEST_CASE(text_format_accepts_prometheus_leniencies) {
  CheckAccepts(
      {
          "",
          "\n\n   \n",
          "a{b=\"c\" d=\"e\"} 1\n",  // no comma between pairs
          "a{b=\"c\"}1\n",           // no blank before the value
          "a{} 1\n",
          "  a 1\n",
          "a 1 \n",
          "a 1\t123 \t\n",
          "#HELP not metadata\n# HELPx also not\n# HELP\n",
          "a{b=\"multi\nline\"} 1\n",
          "a{b=\"\\t unknown escape\"} 1\n",
          "a 1 9223372036854775807\n",
      },
      Format::kPrometheusText);
}

BOOST_AUTO_TEST_CASE(values_and_timestamps_follow_go_syntax) {
  struct Case {
    std::string text;
    double value;
  };
  const double inf = std::numeric_limits<double>::infinity();
  for (const Case& c : std::vector<Case>{{"1", 1},
                                         {"-1", -1},
                                         {"+1", 1},
                                         {"1.", 1},
                                         {".5", 0.5},
                                         {"-.5e-3", -0.0005},
                                         {"1e3", 1000},
                                         {"1E+3", 1000},
                                         {"00012", 12},
                                         {"+Inf", inf},
                                         {"-Inf", -inf},
                                         {"Inf", inf},
                                         {"inf", inf},
                                         {"+inf", inf},
                                         {"Infinity", inf},
                                         {"-infinity", -inf},
                                         {"1e-400", 0},
                                         {"1.7976931348623157e308", 1.7976931348623157e308},
                                         {"4.9e-324", 4.9e-324}}) {
    double value = -7;
    BOOST_TEST((exposition::ParseGoFloat(c.text, value) == exposition::NumberError::kNone), c.text);
    BOOST_TEST(value == c.value, c.text);
  }
  for (const char* nan : {"NaN", "nan", "NAN", "nAn"}) {
    double value = 0;
    BOOST_TEST((exposition::ParseGoFloat(nan, value) == exposition::NumberError::kNone), nan);
    BOOST_TEST(std::isnan(value), nan);
  }
  for (const char* bad : {"", "+", "-", ".", "e3", "1e", "1e+", "+NaN", "-nan", "infin", "in",
                          "0x10", "true", "1.2.3", "1e3.5", "1,5", "--1", "1 "}) {
    double value;
    BOOST_TEST((exposition::ParseGoFloat(bad, value) == exposition::NumberError::kSyntax), bad);
  }
  for (const char* unsupported : {"1_000", "0x1p3", "1p3", "0X1P-3"}) {
    double value;
    BOOST_TEST(
        (exposition::ParseGoFloat(unsupported, value) == exposition::NumberError::kUnsupported),
        unsupported);
  }
  for (std::string huge : {std::string("1e400"), std::string("-1e309"), "1" + std::string(400, '0'),
                           std::string("1e99999999999999999999")}) {
    double value;
    BOOST_TEST((exposition::ParseGoFloat(huge, value) == exposition::NumberError::kOutOfRange),
               huge);
  }
  double tiny = 1;
  BOOST_TEST((exposition::ParseGoFloat("-1e-99999999999999999999", tiny) ==
              exposition::NumberError::kNone));
  BOOST_TEST((tiny == 0 && std::signbit(tiny)));

  const ParsedExposition parsed =
      MustParse("a NaN\nb +Inf 0\nc -Inf 1700000000000\n", Format::kPrometheusText);
  BOOST_TEST(std::isnan(parsed.samples[0].series.value));
  BOOST_TEST(!parsed.samples[0].timestamp_ms.has_value());
  BOOST_TEST(*parsed.samples[1].timestamp_ms == 0);
  BOOST_TEST(*parsed.samples[2].timestamp_ms == 1700000000000);
}

BOOST_AUTO_TEST_CASE(histograms_summaries_and_counters_keep_their_family) {
  const ParsedExposition parsed = MustParse(R"(# HELP http_request_duration_seconds Latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1"} 1
http_request_duration_seconds_bucket{le="+Inf"} 3
http_request_duration_seconds_sum 0.7
http_request_duration_seconds_count 3
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5"} 1
rpc_seconds_sum 2
rpc_seconds_count 3
# TYPE requests_total counter
requests_total{code="200"} 5
plain 1
)",
                                            Format::kPrometheusText);
  BOOST_REQUIRE(parsed.families.size() == 4u);
  const std::vector<uint32_t> families = {0, 0, 0, 0, 1, 1, 1, 2, 3};
  for (size_t i = 0; i < families.size(); ++i) {
    BOOST_TEST(parsed.samples[i].family == families[i], parsed.samples[i].series.name);
  }
  BOOST_TEST(ExposedTypeName(parsed.families[0].type) == ExposedTypeName(ExposedType::kHistogram));
  BOOST_TEST(*parsed.families[0].help == "Latency.");
  BOOST_TEST(ExposedTypeName(parsed.families[1].type) == ExposedTypeName(ExposedType::kSummary));
  BOOST_TEST(ExposedTypeName(parsed.families[2].type) == ExposedTypeName(ExposedType::kCounter));
  BOOST_TEST(parsed.families[3].name == "plain");
  BOOST_TEST(ExposedTypeName(parsed.families[3].type) == ExposedTypeName(ExposedType::kUntyped));
  BOOST_TEST(parsed.samples[1].series.labels.Get("le") == "+Inf");  // as exposed, not normalised
}

BOOST_AUTO_TEST_CASE(openmetrics_reads_what_prometheus_reads) {
  std::string input = R"(# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# TYPE go_gc_duration_seconds summary
# UNIT go_gc_duration_seconds seconds
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
# HELP nohelp1 
# HELP help2 escape \ \n \\ \" \x chars
# UNIT nounit 
go_gc_duration_seconds{quantile="1.0",a="b"} 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"} 1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33 123.123
# TYPE hh histogram
hh_bucket{le="+Inf"} 1
# TYPE gh gaugehistogram
gh_bucket{le="+Inf"} 1
# TYPE hhh histogram
hhh_bucket{le="+Inf"} 1 # {aa="bb"} 4
# TYPE ggh gaugehistogram
ggh_bucket{le="+Inf"} 1 # {cc="dd",xx="yy"} 4 123.123
# TYPE ii info
ii{foo="bar"} 1
# TYPE ss stateset
ss{ss="foo"} 1
ss{ss="bar"} 0
ss{A="a"} 0
# TYPE un unknown
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\"bar\""} 1
# TYPE foo counter
foo_total 17.0 1520879607.789 # {xx="yy"} 5)";
  input += "\n# HELP metric foo\x00"s + "bar";
  input += "\nnull_byte_metric{a=\"abc\x00\"} 1"s;
  input += "\n# EOF\n";

  const ParsedExposition parsed = MustParse(input, Format::kOpenMetrics);
  const std::vector<std::string> expected = {
      R"(go_gc_duration_seconds{quantile="0"} 4.9351e-05)",
      R"(go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05)",
      R"(go_gc_duration_seconds{a="b", quantile="0.5"} 8.3835e-05)",
      R"(go_gc_duration_seconds{a="b", quantile="1.0"} 8.3835e-05)",
      R"(go_gc_duration_seconds_count{} 99)",
      R"(some:aggregate:rate5m{a_b="c"} 1)",
      R"(go_goroutines{} 33 @123123)",
      R"(hh_bucket{le="+Inf"} 1)",
      R"(gh_bucket{le="+Inf"} 1)",
      R"(hhh_bucket{le="+Inf"} 1)",
      R"(ggh_bucket{le="+Inf"} 1)",
      R"(ii{foo="bar"} 1)",
      R"(ss{ss="foo"} 1)",
      R"(ss{ss="bar"} 0)",
      R"(ss{A="a"} 0)",
      R"(_metric_starting_with_underscore{} 1)",
      R"(testmetric{_label_starting_with_underscore="foo"} 1)",
      R"(testmetric{label="\"bar\""} 1)",
      R"(foo_total{} 17 @1520879607789)",
      "null_byte_metric{a=\"abc\0\"} 1"s,
  };
  BOOST_TEST(Describe(parsed) == expected, boost::test_tools::per_element());

  auto family_of = [&](size_t sample) { return parsed.families[parsed.samples[sample].family]; };
  BOOST_TEST(family_of(0).unit == "seconds");
  BOOST_TEST(ExposedTypeName(family_of(8).type) == ExposedTypeName(ExposedType::kGaugeHistogram));
  BOOST_TEST(ExposedTypeName(family_of(11).type) == ExposedTypeName(ExposedType::kInfo));
  BOOST_TEST(ExposedTypeName(family_of(12).type) == ExposedTypeName(ExposedType::kStateset));
  BOOST_TEST(family_of(18).name == "foo");
  BOOST_TEST(ExposedTypeName(family_of(18).type) == ExposedTypeName(ExposedType::kCounter));
  bool saw_help2 = false;
  for (const auto& family : parsed.families) {
    if (family.name != "help2") continue;
    saw_help2 = true;
    BOOST_TEST(*family.help == "escape \\ \n \\ \" \\x chars");  // OpenMetrics undoes \" too
  }
  BOOST_TEST(saw_help2);
}

BOOST_AUTO_TEST_CASE(openmetrics_created_series_and_type_suffixes) {
  const ParsedExposition parsed = MustParse(R"(# TYPE requests counter
# HELP requests Requests.
requests_total{code="200"} 5 1700000000.5
requests_created{code="200"} 1699999000
# TYPE build info
build_info{version="1.2"} 1
# TYPE queue gaugehistogram
queue_bucket{le="1"} 2
queue_bucket{le="+Inf"} 3
queue_gsum 4
queue_gcount 3
# TYPE rpc summary
rpc_sum 1
rpc_count 1
rpc_created 17
# EOF
)",
                                            Format::kOpenMetrics);
  const std::vector<uint32_t> families = {0, 0, 1, 2, 2, 2, 2, 3, 3, 3};
  BOOST_REQUIRE(parsed.samples.size() == families.size());
  for (size_t i = 0; i < families.size(); ++i) {
    BOOST_TEST(parsed.samples[i].family == families[i], parsed.samples[i].series.name);
  }
  BOOST_TEST(*parsed.samples[0].timestamp_ms == 1700000000500);
  BOOST_TEST(*parsed.families[0].help == "Requests.");
  BOOST_TEST(ExposedTypeName(parsed.families[1].type) == "info");
}

BOOST_AUTO_TEST_CASE(openmetrics_rejects_what_prometheus_rejects) {
  CheckRejects(
      {
          {"", "1:1: data does not end with # EOF"},
          {"\n", "1:1: expected a valid start token, got \"\\n\""},
          {"metric", "1:7: expected value after metric, got end of input"},
          {"metric 1", "1:9: data does not end with # EOF"},
          {"metric 1\n", "2:1: data does not end with # EOF"},
          {"metric_total 1 # {aa=\"bb\"} 4", "1:29: data does not end with # EOF"},
          {"a\n#EOF\n", "1:2: expected value after metric, got \"\\n\""},
          {"\n\n#EOF\n", "1:1: expected a valid start token"},
          {" a 1\n#EOF\n", "1:1: expected a valid start token, got \" \""},
          {"9\n#EOF\n", "1:1: expected a valid start token, got \"9\""},
          {"# TYPE u untyped\n#EOF\n", "1:10: invalid metric type \"untyped\""},
          {"# TYPE c counter \n#EOF\n", "1:10: invalid metric type \"counter \""},
          {"#  TYPE c counter\n#EOF\n", "1:3: expected HELP, TYPE, UNIT or EOF"},
          {"# TYPE \n#EOF\n", "1:8: expected metric name after TYPE"},
          {"# TYPE m\n#EOF\n", "1:9: expected text in TYPE"},
          {"# UNIT metric suffix\n#EOF\n",
           "1:15: unit \"suffix\" not a suffix of metric \"metric\""},
          {"# UNIT metricsuffix suffix\n#EOF\n", "1:21: unit \"suffix\" not a suffix of metric"},
          {"# UNIT m suffix\n#EOF\n", "1:10: unit \"suffix\" not a suffix of metric \"m\""},
          {"# UNIT \n#EOF\n", "1:8: expected metric name after UNIT"},
          {"# UNIT m\n#EOF\n", "1:9: expected text in UNIT"},
          {"# HELP \n#EOF\n", "1:8: expected metric name after HELP"},
          {"# HELP m\n#EOF\n", "1:9: expected text in HELP"},
          {"# HELP m text", "1:9: expected text in HELP"},  // no newline
          {"a\t1\n#EOF\n", "1:2: expected value after metric, got \"\\t\""},
          {"a 1\t2\n#EOF\n", "1:3: expected a float value, got \"1\\t2\""},
          {"a 1 2 \n#EOF\n", "1:6: expected next entry after timestamp, got \" \""},
          {"a 1 2 #\n#EOF\n", "1:6: expected next entry after timestamp"},
          {"a 1 1z\n#EOF\n", "1:5: expected a float timestamp, got \"1z\""},
          {" # EOF\n", "1:1: expected a valid start token"},
          {"# EOF\na 1", "2:1: unexpected data after # EOF"},
          {"# EOF\n\n", "2:1: unexpected data after # EOF"},
          {"# EOFa 1", "1:6: unexpected data after # EOF"},
          {"#\tTYPE c counter\n", "1:2: expected a space after #"},
          {"# TYPE c  counter\n", "1:10: invalid metric type \" counter\""},
          {"a 1 1 1\n# EOF\n", "1:6: expected next entry after timestamp"},
          {"a{b='c'} 1\n# EOF\n", "1:5: expected label value, got \"'\""},
          {"a{b=\"c\",} 1\n# EOF\n", "1:9: expected label name, got \"}\""},
          {"a{,b=\"c\"} 1\n# EOF\n", "1:3: expected label name or right brace, got \",\""},
          {"a{b=\"c\"d=\"e\"} 1\n# EOF\n", "1:8: expected comma, got \"d\""},
          {"a{b=\"c\",,d=\"e\"} 1\n# EOF\n", "1:9: expected label name, got \",\""},
          {"a{b=\n# EOF\n", "1:5: expected label value, got \"\\n\""},
          {"a{\xff=\"foo\"} 1\n# EOF\n", "1:3: expected label name or right brace"},
          {"a{b=\"\xff\"} 1\n# EOF\n", "1:5: invalid UTF-8 label value"},
          {"a true\n", "1:3: expected a float value, got \"true\""},
          {"something_weird{problem=\"\n# EOF\n", "1:25: expected label value, got an unterm"},
          {"empty_label_name{=\"\"} 0\n# EOF\n",
           "1:18: expected label name or right brace, got \"=\""},
          {"foo 1_2\n\n# EOF\n", "1:5: unsupported character in float value"},
          {"foo 0x1p-3\n\n# EOF\n", "1:5: unsupported character in float value"},
          {"foo 0x1P-3\n\n# EOF\n", "1:5: unsupported character in float value"},
          {"foo 0 1_2\n\n# EOF\n", "1:7: unsupported character in float timestamp"},
          {"custom_metric_total 1 # {aa=bb}\n# EOF\n", "1:29: expected label value, got \"bb\""},
          {"custom_metric_total 1 # {aa=\"bb\"}\n# EOF\n",
           "1:34: expected value after exemplar labels, got \"\\n\""},
          {"custom_metric_total 1 # {aa=\"bb\"}",
           "1:34: expected value after exemplar labels, got end of input"},
          {"custom_metric 1 # {aa=\"bb\"}",
           "1:17: metric name \"custom_metric\" does not support exemplars"},
          {"custom_metric_total 1 # {aa=\"bb\",,cc=\"dd\"} 1", "1:34: expected label name"},
          {"custom_metric_total 1 # {aa=\"bb\"} 1_2", "1:35: unsupported character in float"},
          {"custom_metric_total 1 # {aa=\"bb\"} 0x1p-3", "1:35: unsupported character in float"},
          {"custom_metric_total 1 # {aa=\"bb\"} true", "1:35: expected a float exemplar value"},
          {"custom_metric_total 1 # {aa=\"bb\",cc=}", "1:37: expected label value, got \"}\""},
          {"custom_metric_total 1 # {aa=\\\"\xff\\\"} 9.0", "1:29: expected label value"},
          {"{b=\"c\",} 1", "1:1: expected a valid start token, got \"{\""},
          {"a 1 NaN", "1:5: invalid timestamp \"NaN\""},
          {"a 1 -Inf", "1:5: invalid timestamp \"-Inf\""},
          {"a 1 Inf", "1:5: invalid timestamp \"Inf\""},
          {"a 1 1e300\n# EOF\n", "1:5: timestamp \"1e300\" out of range"},
          {"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN",
           "2:39: invalid exemplar timestamp"},
          {"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 -Inf",
           "2:39: invalid exemplar timestamp"},
          {"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 Inf",
           "2:39: invalid exemplar timestamp"},
          {"a_total 1 # {a=\"b\"} 1 2 3\n# EOF\n",
           "1:24: expected next entry after exemplar timestamp"},
          {"# comment\n# EOF\n", "1:3: expected HELP, TYPE, UNIT or EOF"},
          {"a{b=\"1\",b=\"2\"} 1\n# EOF\n", "1:1: label name \"b\" is not unique"},
      },
      Format::kOpenMetrics);
}

BOOST_AUTO_TEST_CASE(openmetrics_nul_bytes_as_prometheus_handles_them) {
  CheckAccepts({"null_byte_metric{a=\"abc\x00\"} 1\n# EOF\n"s, "a{b=\"\x00ss\"} 1\n# EOF\n"s,
                "a{b=\"\x00\"} 1\n# EOF\n"s, "a{b=\"\x00\"} 1\n# EOF"s},
               Format::kOpenMetrics);
  CheckRejects(
      {
          {"a{b=\x00\"ssss\"} 1\n# EOF\n"s, "1:5: expected label value"},
          {"a{b=\"\x00"s, "1:5: expected label value, got an unterminated"},
          {"a{b\x00=\"hiih\"}\t1"s, "1:4: expected equal, got \"\\x00\""},
          {"a\x00{b=\"ddd\"} 1"s, "1:2: expected value after metric"},
          {"#", "1:2: expected a space after #"},
          {"# H", "1:3: expected HELP, TYPE, UNIT or EOF"},
          {"custom_metric_total 1 # {b=\x00\"ssss\"} 1\n"s, "1:28: expected label value"},
          {"custom_metric_total 1 # {b=\"\x00ss\"} 1\n"s,
           "1:28: expected label value, got an unterminated string (or one with a newline or NUL)"},
      },
      Format::kOpenMetrics);
}

BOOST_AUTO_TEST_CASE(openmetrics_accepts_eof_forms_and_exemplars) {
  CheckAccepts({"# EOF", "# EOF\n", "a_total 1 # {} 2\n# EOF\n",
                "a_bucket{le=\"1\"} 1 10 # {trace_id=\"abc\"} 0.5 11.5\n# EOF\n",
                "a 1 -1.5\n# EOF\n", "a{} 1\n# EOF\n"},
               Format::kOpenMetrics);
  const ParsedExposition parsed = MustParse("a 1 -1.5\n# EOF\n", Format::kOpenMetrics);
  BOOST_TEST(*parsed.samples[0].timestamp_ms == -1500);
}

BOOST_AUTO_TEST_CASE(empty_label_values_are_dropped_before_the_duplicate_check) {
  const ParsedExposition parsed =
      MustParse("a{b=\"\",b=\"x\",c=\"\"} 1\nd{b=\"\",b=\"\"} 2\n", Format::kPrometheusText);
  BOOST_TEST(Describe(parsed.samples[0]) == R"(a{b="x"} 1)");
  BOOST_TEST(Describe(parsed.samples[1]) == R"(d{} 2)");
  BOOST_TEST(ErrorOf("a{__name__=\"\"} 1\n", Format::kPrometheusText) == "(accepted)");
}

BOOST_AUTO_TEST_CASE(label_escapes_are_undone) {
  const ParsedExposition parsed = MustParse(R"(a{b="q\"s\\n\n\t"} 1)"
                                            "\n",
                                            Format::kPrometheusText);
  BOOST_TEST(parsed.samples[0].series.labels.Get("b") == "q\"s\\n\n\\t");
}

BOOST_AUTO_TEST_CASE(limits_fail_the_whole_exposition) {
  const std::string three = "a 1\nb{x=\"1\",y=\"2\"} 2\nc 3\n";
  BOOST_TEST(MustParse(three, Format::kPrometheusText, {.sample_limit = 3}).samples.size() == 3u);
  BOOST_TEST(ErrorOf(three, Format::kPrometheusText, {.sample_limit = 2}) ==
             "3:1: sample_limit exceeded (limit: 2)");
  BOOST_TEST(ErrorOf(three, Format::kPrometheusText, {.label_limit = 3}) == "(accepted)");
  BOOST_TEST(ErrorOf(three, Format::kPrometheusText, {.label_limit = 2}) ==
             "2:11: label_limit exceeded (metric: b, number of labels: 3, limit: 2)");
  BOOST_TEST(ErrorOf(three, Format::kPrometheusText, {.label_name_length_limit = 8}) ==
             "(accepted)");
  BOOST_TEST(
      ErrorOf("a{abcdefghi=\"1\"} 1\n", Format::kPrometheusText, {.label_name_length_limit = 8}) ==
      "1:1: label_name_length_limit exceeded (metric: a, label name: abcdefghi, length: 9, "
      "limit: 8)");
  BOOST_TEST(ErrorOf("a{b=\"x\\\\y\"} 1\n", Format::kPrometheusText,
                     {.label_value_length_limit = 3}) == "(accepted)");  // 3 bytes unescaped
  BOOST_TEST(
      ErrorOf("a{b=\"wxyz\"} 1\n", Format::kPrometheusText, {.label_value_length_limit = 3}) ==
      "1:1: label_value_length_limit exceeded (metric: a, label name: b, value: \"wxyz\", "
      "length: 4, limit: 3)");
  BOOST_TEST(ErrorOf("abcd 1\n", Format::kPrometheusText, {.label_value_length_limit = 3})
                 .starts_with("1:1: label_value_length_limit exceeded (metric: abcd, label name: "
                              "__name__"));
}

BOOST_AUTO_TEST_CASE(format_follows_the_content_type) {
  for (const char* om : {"application/openmetrics-text; version=1.0.0; charset=utf-8",
                         "application/openmetrics-text", "Application/OpenMetrics-Text ;x=y",
                         " application/openmetrics-text\t; version=0.0.1"}) {
    BOOST_TEST((ExpositionFormatFromContentType(om) == Format::kOpenMetrics), om);
  }
  for (const char* text : {"text/plain; version=0.0.4; charset=utf-8", "", "text/plain",
                           "application/openmetrics-textx", "application/json"}) {
    BOOST_TEST((ExpositionFormatFromContentType(text) == Format::kPrometheusText), text);
  }
}

BOOST_AUTO_TEST_CASE(hostile_inputs_stay_linear_and_errors_stay_short) {
  // 200k labels on one line, in reverse order: sorted once.
  std::string many = "a{";
  for (int i = 200000; i > 0; --i) many += "l" + std::to_string(i) + "=\"v\",";
  many += "} 1\n";
  const ParsedExposition parsed = MustParse(many, Format::kPrometheusText);
  BOOST_TEST(parsed.samples[0].series.labels.size() == 200000u);
  BOOST_TEST(ErrorOf(many, Format::kPrometheusText, {.label_limit = 64}).starts_with("1:"));

  // A megabyte label value, then an error: the message quotes at most a few dozen bytes.
  const std::string long_value = "a{b=\"" + std::string(1 << 20, 'x') + "\"} 1\nb{c=\"" +
                                 std::string(1 << 20, '\xff') + "\"} 1\n";
  const std::string error = ErrorOf(long_value, Format::kPrometheusText);
  BOOST_TEST(error.starts_with("2:5: invalid UTF-8 label value"), error.substr(0, 80));
  BOOST_TEST(error.size() < 300u);
  BOOST_TEST(ErrorOf(std::string(1 << 20, 'a') + "\n", Format::kPrometheusText).size() < 300u);
}

}  // namespace
}  // namespace opswatch
