// Alert templates cannot make opswatch recurse without bound or build unbounded text: nesting
// past kMaxTemplateDepth is refused at load with a positioned error, printf's width and precision
// are capped, and an expansion longer than kMaxTemplateOutput fails (in-line, and flagged so the
// rule's health shows it).
#define BOOST_TEST_MODULE template_limits
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>

#include "rules/template/template.hpp"
#include "rules/template/template_parse.hpp"
#include "tests/support/small_stack.hpp"

namespace opswatch {
namespace {

using opswatch::testing::RunOnSmallStack;
using template_parse::kMaxTemplateDepth;
using template_parse::kMaxTemplateOutput;

std::string Repeat(std::string_view piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

std::string NestedIfs(int depth) {
  return Repeat("{{ if $labels.path }}", depth) + "deep" + Repeat("{{ end }}", depth);
}
std::string ElseIfChain(int depth) {  // every branch false until the last
  return "{{ if eq 1 0 }}a" + Repeat("{{ else if eq 1 0 }}b", depth - 2) +
         "{{ else if true }}last{{ end }}";
}
std::string NestedParens(int depth) {
  return "{{ " + Repeat("(", depth) + "$value" + Repeat(")", depth) + " }}";
}

struct Fixture {
  Labels labels{{"path", "/var"}};
  Labels external{{"env", "staging"}};
  TemplateData Data(double value = 1.5) const {
    return TemplateData{labels, external, "http://opswatch:10490", value};
  }
};

BOOST_FIXTURE_TEST_CASE(templates_at_the_limit_load_and_expand_on_a_small_stack, Fixture) {
  const std::pair<std::string, std::string> cases[] = {
      {NestedIfs(kMaxTemplateDepth), "deep"},
      {ElseIfChain(kMaxTemplateDepth), "last"},
      {NestedParens(kMaxTemplateDepth), "1.5"},
  };
  for (const auto& [text, want] : cases) {
    RunOnSmallStack([&, &text = text, &want = want] {
      BOOST_TEST(CheckTemplate("Deep", text).ok());
      const AlertTemplate parsed("Deep", text);
      BOOST_TEST(parsed.Expand(Data()) == want);
      BOOST_TEST(AlertTemplate("Deep", text).Expand(Data()) == want);
    });
  }
}

BOOST_AUTO_TEST_CASE(one_level_more_is_refused_with_its_line) {
  const std::string want =
      "template: __alert_Deep:1: if, else if and parentheses nest deeper than " +
      std::to_string(kMaxTemplateDepth) + " levels";
  for (const auto& text : {NestedIfs(kMaxTemplateDepth + 1), ElseIfChain(kMaxTemplateDepth + 1),
                           NestedParens(kMaxTemplateDepth + 1)}) {
    BOOST_TEST(CheckTemplate("Deep", text).message() == want);
  }
  // The line is the one of the {{ if }} that crossed the limit.
  const std::string multi_line = Repeat("{{ if true }}\n", kMaxTemplateDepth + 5) + "x";
  BOOST_TEST(CheckTemplate("Deep", multi_line)
                 .message()
                 .rfind("template: __alert_Deep:" + std::to_string(kMaxTemplateDepth + 1) + ": ",
                        0) == 0u);
}

// The 20,000 nested {{ if }} crashed --config.check; 100 of them are legitimate.
BOOST_FIXTURE_TEST_CASE(hostile_nesting_fails_cleanly_and_100_ifs_still_work, Fixture) {
  RunOnSmallStack([&] {
    BOOST_TEST(!CheckTemplate("X", NestedIfs(20000)).ok());
    BOOST_TEST(!CheckTemplate("X", NestedParens(50000)).ok());
    BOOST_TEST(!CheckTemplate("X", ElseIfChain(50000)).ok());
    BOOST_TEST(AlertTemplate("X", NestedIfs(20000)).Expand(Data()).find("nest deeper than") !=
               std::string::npos);
    BOOST_TEST(AlertTemplate("X", NestedIfs(100)).Expand(Data()) == "deep");
  });
}

BOOST_FIXTURE_TEST_CASE(printf_width_and_precision_are_capped, Fixture) {
  auto expand = [&](const std::string& text) { return AlertTemplate("P", text).Expand(Data()); };
  const auto started = std::chrono::steady_clock::now();
  // Past Go's own bound (10^6) Go drops the rest of the format: so do we.
  BOOST_TEST(expand("{{ printf \"%.999999999f\" 1.5 }}") == "%!(NOVERB)%!(EXTRA float64=1.5)");
  BOOST_TEST(expand("{{ printf \"%999999999d\" 1 }}") == "%!(NOVERB)%!(EXTRA int=1)");
  // Between our cap and Go's, the number is dropped with Go's marker for an unusable one.
  BOOST_TEST(expand("{{ printf \"%.5000f\" 1.5 }}") == "%!(BADPREC)1.500000");
  BOOST_TEST(expand("{{ printf \"%5000d|\" 7 }}") == "%!(BADWIDTH)7|");
  BOOST_TEST(expand("{{ printf \"%5000.5000f\" 1.5 }}") == "%!(BADWIDTH)%!(BADPREC)1.500000");
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(1)));
  // Up to the cap, formatting is Go's, with no silent truncation.
  const std::string precise = expand("{{ printf \"%.1000f\" 1.5 }}");
  BOOST_TEST(precise.size() == 1002u);
  BOOST_TEST(precise.rfind("1.5000", 0) == 0u);
  BOOST_TEST(expand("{{ printf \"%1000d\" 7 }}") == std::string(999, ' ') + "7");
  BOOST_TEST(expand("{{ printf \"%.2f%%\" 12.345 }}") == "12.35%");
  BOOST_TEST(expand("{{ printf \"%-5s|%05d\" \"ab\" 42 }}") == "ab   |00042");
  BOOST_TEST(expand("{{ printf \"%.f\" 2.5 }}") == "2");
}

BOOST_FIXTURE_TEST_CASE(expansions_longer_than_the_cap_fail_and_say_so, Fixture) {
  // Each variable doubles the previous one: 2^40 bytes without a cap, here an error at once.
  std::string doubling = "{{ $a := printf \"%1000s\" \"x\" }}";
  std::string previous = "$a";
  for (int i = 0; i < 40; ++i) {
    const std::string next = "$v" + std::to_string(i);
    doubling += "{{ " + next + " := print " + previous + " " + previous + " }}";
    previous = next;
  }
  doubling += "{{ " + previous + " }}";
  const std::string many_actions = Repeat("{{ printf \"%1000d\" 1 }}", 100);  // 100 KB
  const std::string wide_printf =
      "{{ printf \"" + Repeat("%1000s", 100) + "\" " + Repeat("\"a\" ", 100) + "}}";
  const std::pair<std::string, std::string> cases[] = {
      {doubling, "error calling print: output longer than 65536 bytes"},
      {many_actions, "template: __alert_Big: output longer than 65536 bytes"},
      {wide_printf, "error calling printf: output longer than 65536 bytes"},
  };
  for (const auto& [text, want] : cases) {
    const auto started = std::chrono::steady_clock::now();
    std::string limit_error;
    const std::string out = AlertTemplate("Big", text).Expand(Data(), &limit_error);
    BOOST_TEST(
        out.rfind("<error expanding template: error executing template __alert_Big: ", 0) == 0u,
        out.substr(0, 200));
    BOOST_TEST(out.find(want) != std::string::npos, out.substr(0, 300));
    BOOST_TEST(out.size() < 4096u);  // the error, not the text
    BOOST_TEST(limit_error.find(want) != std::string::npos, limit_error);
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(1)));
  }
  // Just under the cap is fine, and ordinary errors are not reported as limit errors.
  std::string limit_error;
  BOOST_TEST(AlertTemplate("Big", Repeat("{{ printf \"%1000d\" 1 }}", 65))
                 .Expand(Data(), &limit_error)
                 .size() == 65000u);
  BOOST_TEST(AlertTemplate("Big", "{{ humanize \"x\" }}")
                 .Expand(Data(), &limit_error)
                 .find("<error expanding template") == 0u);
  BOOST_TEST(limit_error.empty());
  static_assert(kMaxTemplateOutput == 65536, "update the expected messages");
}

// Found by tests/fuzz/template_fuzz: float-to-integer conversions that C++ leaves undefined now
// give what Go (and so Prometheus) prints on amd64, or Go's error.
BOOST_FIXTURE_TEST_CASE(out_of_range_numbers_convert_as_in_go, Fixture) {
  auto expand = [&](const std::string& text) { return AlertTemplate("N", text).Expand(Data()); };
  BOOST_TEST(expand("{{ humanizeTimestamp 1e300 }}") == "1677-09-21 00:12:43.145224192 +0000 UTC");
  BOOST_TEST(expand("{{ humanizeDuration 1e300 }}") == "-106751991167300d -15h -30m -8s");
  BOOST_TEST(expand("{{ humanizeTimestamp 1700000000.5 }}") == "2023-11-14 22:13:20.5 +0000 UTC");
  BOOST_TEST(expand("{{ 99999999999999999999 }}")
                 .find("at <99999999999999999999>: 99999999999999999999 overflows int>") !=
             std::string::npos);
  BOOST_TEST(expand("{{ -9223372036854775808 }}") == "-9223372036854775808");
}

}  // namespace
}  // namespace opswatch
