// The real binary against rule files and configs that nest too deeply (the hardening issue's
// inputs, which crashed --config.check with SIGSEGV): each is refused with exit 1 and a
// positioned message, never a signal; what the issue showed loading must still load; a printf
// asking for a billion digits costs nothing.
#define BOOST_TEST_MODULE hostile_nesting
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/support/opswatch_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

std::string Repeat(std::string_view piece, int n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

// A rule file with one alert; `expr` and `summary` go in single quotes (no quote inside them).
std::string RuleFile(const std::string& expr, const std::string& summary = "x") {
  return "groups:\n  - name: g\n    rules:\n      - alert: Deep\n        expr: '" + expr +
         "'\n        annotations:\n          summary: '" + summary + "'\n";
}

struct Checked {
  CommandResult result;
  std::string rules_path;
};

Checked CheckRules(const TempDir& dir, const std::string& rules) {
  Checked c;
  c.rules_path = dir.Write("deep.rules.yml", rules);
  const std::string config =
      dir.Write("opswatch.yml",
                "global:\n  state_dir: " + dir.Join("state") + "\nrule_files: [deep.rules.yml]\n");
  c.result = RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + config}, 120s);
  return c;
}

BOOST_AUTO_TEST_CASE(too_deep_rules_exit_1_with_a_positioned_message) {
  struct Case {
    const char* name;
    std::string rules;
    std::string message;  // after the file name: line:col of the value, key, parser's message
  };
  const std::string expr = ":5:15: groups[0].rules[0].expr: could not parse expression: 1:";
  const std::string summary = ":7:20: groups[0].rules[0].annotations.summary: template: ";
  const std::string promql = "expression nests deeper than 256 levels";
  const std::string tmpl = "if, else if and parentheses nest deeper than 256 levels";
  const Case cases[] = {
      {"50,000 parentheses", RuleFile(Repeat("(", 50000) + "1" + Repeat(")", 50000)),
       expr + "257: " + promql},
      {"20,000 abs(", RuleFile(Repeat("abs(", 20000) + "up" + Repeat(")", 20000)),
       expr + "1025: " + promql},
      {"50,000 unary minus", RuleFile(Repeat("-", 50000) + "up"), expr + "257: " + promql},
      {"200,000-term + chain", RuleFile("up" + Repeat(" + up", 200000)), expr + "1279: " + promql},
      {"20,000 nested if",
       RuleFile("up", Repeat("{{ if true }}", 20000) + "x" + Repeat("{{ end }}", 20000)),
       summary + "__alert_Deep:1: " + tmpl},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      TempDir dir;
      const Checked checked = CheckRules(dir, c.rules);
      BOOST_TEST(checked.result.exit_code == 1, checked.result.err.substr(0, 500));
      BOOST_TEST(checked.result.err.find(checked.rules_path + c.message) != std::string::npos,
                 checked.result.err.substr(0, 500));
    }
  }
}

BOOST_AUTO_TEST_CASE(deep_yaml_exits_1_with_a_positioned_message) {
  std::string block = "global:\n";
  for (int i = 0; i < 300; ++i) block += std::string(2 * (i + 1), ' ') + "k:\n";
  const std::pair<std::string, std::string> cases[] = {
      {block, ":65:129: nesting deeper than 64 levels"},
      {"global: " + Repeat("[", 300) + Repeat("]", 300) + "\n",
       ":1:72: nesting deeper than 64 levels"},
  };
  for (const auto& [text, where] : cases) {
    TempDir dir;
    const std::string config = dir.Write("opswatch.yml", text);
    const CommandResult r =
        RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + config}, 60s);
    BOOST_TEST(r.exit_code == 1, r.err);
    BOOST_TEST(r.err.find(config + where) != std::string::npos, r.err);
  }
  // A rule file goes through the same check.
  TempDir dir;
  std::string rules = "groups:\n";
  for (int i = 0; i < 300; ++i) rules += std::string(2 * (i + 1), ' ') + "- k:\n";
  const Checked checked = CheckRules(dir, rules);
  BOOST_TEST(checked.result.exit_code == 1, checked.result.err);
  BOOST_TEST(checked.result.err.find(checked.rules_path + ":") != std::string::npos);
  BOOST_TEST(checked.result.err.find("nesting deeper than 64 levels") != std::string::npos,
             checked.result.err);
}

// The legitimate cases, which loaded at start and crashed only a reload on a worker.
BOOST_AUTO_TEST_CASE(legitimate_deep_rules_still_load) {
  const std::string cases[] = {
      RuleFile("vector(1)" + Repeat(" or vector(1)", 199)),
      RuleFile(Repeat("(", 200) + "vector(1)" + Repeat(")", 200)),
      RuleFile("up", Repeat("{{ if true }}", 100) + "x" + Repeat("{{ end }}", 100)),
  };
  for (const auto& rules : cases) {
    TempDir dir;
    const Checked checked = CheckRules(dir, rules);
    BOOST_TEST(checked.result.exit_code == 0, checked.result.err.substr(0, 500));
  }
}

// Read from the running daemon's API rather than from --once, whose exit path is not under test.
BOOST_AUTO_TEST_CASE(printf_with_a_billion_digits_is_cheap) {
  TempDir dir;
  dir.Write("deep.rules.yml", RuleFile("vector(1)",
                                       "{{ printf \"%.999999999f\" 1.5 }}|"
                                       "{{ printf \"%.5000f\" 1.5 }}"));
  const std::string config =
      dir.Write("opswatch.yml", "global:\n  state_dir: " + dir.Join("state") +
                                    "\n  evaluation_interval: 1s\nrule_files: [deep.rules.yml]\n");
  const auto started = std::chrono::steady_clock::now();
  OpswatchProcess ow(config);
  std::string summary;
  while (std::chrono::steady_clock::now() - started < 60s && summary.empty()) {
    const auto alerts = nlohmann::json::parse(ow.Get("/api/v1/alerts").body);
    for (const auto& alert : alerts["data"]["alerts"]) {
      summary = alert["annotations"].value("summary", "");
    }
    if (summary.empty()) std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(summary == "%!(NOVERB)%!(EXTRA float64=1.5)|%!(BADPREC)1.500000");
  BOOST_TEST((std::chrono::steady_clock::now() - started < 20s));
  BOOST_TEST(ow.process().Running());
}

}  // namespace
