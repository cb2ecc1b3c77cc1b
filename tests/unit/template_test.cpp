#define BOOST_TEST_MODULE template
#include "rules/template/template.hpp"

#include <boost/test/unit_test.hpp>

namespace opswatch {
namespace {

struct Fixture {
  Labels labels{{"instance", "db1"}, {"path", "/var"}, {"collector", "root-disk"}};
  Labels external{{"env", "staging"}};

  std::string Expand(const std::string& text, double value = 0.0523) {
    TemplateData data{labels, external, "http://opswatch:10490", value};
    return AlertTemplate("DiskSpaceLow", text).Expand(data);
  }
};

BOOST_FIXTURE_TEST_CASE(variables_and_fields, Fixture) {
  BOOST_TEST(Expand("{{ $value }}") == "0.0523");
  BOOST_TEST(Expand("{{ .Value }}") == "0.0523");
  BOOST_TEST(Expand("{{ $labels.path }} on {{ .Labels.instance }}") == "/var on db1");
  BOOST_TEST(Expand("{{ $externalLabels.env }}/{{ .ExternalLabels.env }}") == "staging/staging");
  BOOST_TEST(Expand("{{ $externalURL }}") == "http://opswatch:10490");
  BOOST_TEST(Expand("[{{ $labels.missing }}]") == "[]");  // missingkey=zero
  BOOST_TEST(Expand("no actions") == "no actions");
  BOOST_TEST(Expand("{{ $value }}", 1e6) == "1e+06");
  BOOST_TEST(Expand("{{ $value }}", 123456) == "123456");
  BOOST_TEST(Expand("{{ $value }}", 0.00001) == "1e-05");
  BOOST_TEST(Expand("{{ $value }}", 2) == "2");
}

BOOST_FIXTURE_TEST_CASE(pipelines_and_printf, Fixture) {
  BOOST_TEST(Expand("{{ $value | humanizePercentage }}") == "5.23%");
  BOOST_TEST(Expand("{{ humanize1024 $value }}", 2048) == "2ki");
  BOOST_TEST(Expand("{{ $value | humanizeDuration }}", 93784) == "1d 2h 3m 4s");
  BOOST_TEST(Expand("{{ printf \"%.2f\" $value }}") == "0.05");
  BOOST_TEST(Expand("{{ printf \"%.1f%%\" $value }}", 12.34) == "12.3%");
  BOOST_TEST(Expand("{{ printf \"%s=%v\" $labels.path $value }}") == "/var=0.0523");
  BOOST_TEST(Expand("{{ printf \"%d\" $value }}") == "%!d(float64=0.0523)");
  BOOST_TEST(Expand("{{ printf \"%.2f %s\" $value }}") == "0.05 %!s(MISSING)");
  BOOST_TEST(Expand("{{ $labels.path | toUpper }}") == "/VAR");
  BOOST_TEST(Expand("{{ \"42\" | humanize }}") == "42");
  BOOST_TEST(Expand("{{ humanizeTimestamp 1700000000.5 }}") == "2023-11-14 22:13:20.5 +0000 UTC");
  BOOST_TEST(Expand("{{ $x := humanize $value }}<{{ $x }}>") == "<52.3m>");
}

BOOST_FIXTURE_TEST_CASE(conditionals_and_trim, Fixture) {
  BOOST_TEST(Expand("{{ if gt $value 0.5 }}high{{ else }}low{{ end }}") == "low");
  BOOST_TEST(Expand("{{ if lt $value 0.01 }}a{{ else if lt $value 0.1 }}b{{ else }}c{{ end }}") ==
             "b");
  BOOST_TEST(Expand("{{ if eq $labels.path \"/var\" }}var{{ end }}") == "var");
  BOOST_TEST(Expand("a  {{- \"b\" -}}  c") == "abc");
  BOOST_TEST(Expand("x{{/* a comment */}}y") == "xy");
  BOOST_TEST(Expand("{{ if $labels.missing }}set{{ else }}unset{{ end }}") == "unset");
}

BOOST_FIXTURE_TEST_CASE(errors_render_as_prometheus_does, Fixture) {
  BOOST_TEST(Expand("{{ foo $value }}") ==
             "<error expanding template: error parsing template __alert_DiskSpaceLow: template: "
             "__alert_DiskSpaceLow:1: function \"foo\" not defined>");
  BOOST_TEST(Expand("{{ $value") ==
             "<error expanding template: error parsing template __alert_DiskSpaceLow: template: "
             "__alert_DiskSpaceLow:1: unclosed action>");
  BOOST_TEST(Expand("{{ if true }}x") ==
             "<error expanding template: error parsing template __alert_DiskSpaceLow: template: "
             "__alert_DiskSpaceLow:1: unexpected EOF>");
  BOOST_TEST(Expand("{{ $nope }}") ==
             "<error expanding template: error parsing template __alert_DiskSpaceLow: template: "
             "__alert_DiskSpaceLow:1: undefined variable \"$nope\">");
  // Execution errors carry Go's position (offset by Prometheus's 112-byte prefix) and context.
  BOOST_TEST(
      Expand("{{ humanize \"abc\" }}") ==
      "<error expanding template: error executing template __alert_DiskSpaceLow: template: "
      "__alert_DiskSpaceLow:1:115: executing \"__alert_DiskSpaceLow\" at <humanize \"abc\">: "
      "error calling humanize: strconv.ParseFloat: parsing \"abc\": invalid syntax>");
  BOOST_TEST(Expand("{{ gt $value 1 }}") ==
             "<error expanding template: error executing template __alert_DiskSpaceLow: template: "
             "__alert_DiskSpaceLow:1:115: executing \"__alert_DiskSpaceLow\" at <gt $value 1>: "
             "error calling gt: incompatible types for comparison>");
  BOOST_TEST(Expand("{{ humanize 1 2 }}").find("wrong number of args for humanize: want 1 got 2") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_parsed_template_is_reusable_and_literal_text_passes_through) {
  const Labels labels{{"path", "/var"}};
  const Labels external{{"env", "staging"}};
  const TemplateData data{labels, external, "http://x", 0.05};
  for (const char* text :
       {"plain text, no actions", "{{ $labels.path }} at {{ $value | humanizePercentage }}",
        "{{ $externalLabels.env }}", "{{ humanize \"abc\" }}", "{{ if }}", "{{ nosuch 1 }}"}) {
    const AlertTemplate parsed("DiskLow", text);
    BOOST_TEST(parsed.Expand(data) == parsed.Expand(data));  // expanding leaves it unchanged
  }
  BOOST_TEST(AlertTemplate("X", "plain {{ text").Expand(data).rfind("<error expanding", 0) == 0);
  BOOST_TEST(AlertTemplate("X", "plain text").Expand(data) == "plain text");
  BOOST_TEST(
      AlertTemplate("X", "{{ $labels.path }} at {{ $value | humanizePercentage }}").Expand(data) ==
      "/var at 5%");
}

BOOST_AUTO_TEST_CASE(check_template_reports_parse_errors_only) {
  BOOST_TEST(CheckTemplate("X", "{{ $value | humanize }}").ok());
  BOOST_TEST(CheckTemplate("X", "{{ humanize \"abc\" }}").ok());  // fails only when run
  BOOST_TEST(CheckTemplate("X", "line1\n{{ query \"up\" }}").message() ==
             "template: __alert_X:2: function \"query\" needs a query engine and is not supported "
             "by opswatch");
  BOOST_TEST(CheckTemplate("X", "{{ range $labels }}{{ end }}").message() ==
             "template: __alert_X:1: \"range\" is not supported by opswatch templates");
}

}  // namespace
}  // namespace opswatch
