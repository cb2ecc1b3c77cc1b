// The command collector's logic over canned process outcomes (the ProcessRunner seam): each output
// mode's verdict and series, failed runs, counters, the spec it asks for, the shared slot limit,
// and that env values never reach the log. Real processes: tests/integration/command_*_test.cpp.
#define BOOST_TEST_MODULE command_collector
#include "collectors/command/command_collector.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <mutex>

#include "collectors/command/command_output.hpp"
#include "collectors/command/command_rules.hpp"
#include "core/fake_clock.hpp"
#include "tests/support/env.hpp"
#include "tests/support/metric_lookup.hpp"

using namespace opswatch;
using opswatch::testing::FindFamily;
using opswatch::testing::SeriesValue;

namespace {

CommandConfig Parse(const std::string& yaml) {
  YAML::Node node = YAML::Load(yaml);
  testing::FakeConfigEnv env;
  env.vars["PATH"] = "/usr/bin:/bin";
  env.vars["TOKEN"] = "s3cr3t-token";
  ConfigErrors errors;
  MapReader reader(node, "collectors[0]", errors, env);
  auto config = ParseCommandConfig(
      reader, CollectorIdentity{"c", "command", Millis(30000), Millis(10000), "/tmp"});
  reader.Finish();
  BOOST_REQUIRE_MESSAGE(config && errors.empty(), errors.Format("t.yml"));
  return *config;
}

ProcessOutcome Exited(int code, std::string out = "", std::string err = "") {
  ProcessOutcome outcome;
  outcome.started = true;
  outcome.exited = true;
  outcome.exit_code = code;
  outcome.stdout_text = std::move(out);
  outcome.stderr_tail = std::move(err);
  outcome.duration_seconds = 0.25;
  return outcome;
}

class FakeRunner final : public ProcessRunner {
 public:
  ProcessOutcome Run(const ProcessSpec& spec) override {
    specs.push_back(spec);
    return next;
  }
  ProcessOutcome next = Exited(0);
  std::vector<ProcessSpec> specs;
};

struct LoggedLine {
  std::string message;
  std::vector<std::pair<std::string, std::string>> fields;
};

class CapturingLogger final : public Logger {
 public:
  bool Enabled(LogLevel) const override { return true; }
  void Log(LogLevel, std::string_view message, std::initializer_list<LogField> fields) override {
    std::lock_guard lock(mu);
    LoggedLine line{std::string(message), {}};
    for (const LogField& f : fields) line.fields.emplace_back(f.key, f.value);
    lines.push_back(std::move(line));
  }
  std::string All() {
    std::lock_guard lock(mu);
    std::string all;
    for (const auto& line : lines) {
      all += line.message + "\n";
      for (const auto& [k, v] : line.fields) all += " " + k + "=" + v + "\n";
    }
    return all;
  }
  std::mutex mu;
  std::vector<LoggedLine> lines;
};

struct Fixture {
  FakeClock clock;
  CapturingLogger logger;
  std::shared_ptr<FakeRunner> runner_ptr = std::make_shared<FakeRunner>();
  FakeRunner& runner = *runner_ptr;
  std::shared_ptr<ProcessSlots> slots_ptr = std::make_shared<ProcessSlots>(2);
  ProcessSlots& slots = *slots_ptr;
  CollectResult Collect(const CommandConfig& config) {
    CommandCollector collector(config, runner_ptr, slots_ptr, clock, logger);
    return collector.Collect(RunContext{clock.SteadyNow() + std::chrono::seconds(10)});
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(nagios_exit_codes_map_to_status_and_perfdata_to_series) {
  auto config = Parse("command: [/bin/true]\noutput: nagios\n");
  for (int code : {0, 1, 2, 3}) {
    auto verdict = JudgeCommandRun(config, Exited(code, "STATE - text | a=5ms;10;20;0;100 b=1"));
    BOOST_TEST(verdict.status == code);
    BOOST_TEST(verdict.status_text == "STATE - text");
    BOOST_TEST(*SeriesValue(verdict.families, "opswatch_command_perfdata", {{"label", "a"}}) ==
               0.005);
    BOOST_TEST(*SeriesValue(verdict.families, "opswatch_command_perfdata_critical",
                            {{"label", "a"}}) == 0.02);
    BOOST_TEST(*SeriesValue(verdict.families, "opswatch_command_perfdata_max", {{"label", "a"}}) ==
               0.1);
    BOOST_TEST(
        !SeriesValue(verdict.families, "opswatch_command_perfdata_warning", {{"label", "b"}}));
  }
  auto odd = JudgeCommandRun(config, Exited(7, "weird"));
  BOOST_TEST(odd.status == kCommandUnknown);
  BOOST_TEST(odd.problem == "exit code 7 is not a Nagios state (0-3)");
  auto dup = JudgeCommandRun(config, Exited(0, "OK | a=1 a=2"));
  BOOST_TEST(FindFamily(dup.families, "opswatch_command_perfdata")->samples.size() == 1u);
}

BOOST_AUTO_TEST_CASE(failed_runs_are_critical_in_every_mode) {
  for (const char* output : {"nagios", "json", "prometheus", "exit_code"}) {
    auto config = Parse(std::string("command: [/bin/true]\noutput: ") + output + "\n");
    ProcessOutcome not_started;
    not_started.start_error = "command[0] not found in PATH";
    BOOST_TEST(JudgeCommandRun(config, not_started).status == kCommandCritical);
    BOOST_TEST(JudgeCommandRun(config, not_started).problem ==
               "did not start: command[0] not found in PATH");
    ProcessOutcome timed_out = Exited(0);
    timed_out.timed_out = true;
    BOOST_TEST(JudgeCommandRun(config, timed_out).status == kCommandCritical);
    ProcessOutcome killed = Exited(0);
    killed.exited = false;
    killed.signal = 9;
    BOOST_TEST(JudgeCommandRun(config, killed).problem == "killed by signal SIGKILL");
  }
  auto config = Parse("command: [/bin/true]\n");
  BOOST_TEST(JudgeCommandRun(config, Exited(0)).status == kCommandOk);
  BOOST_TEST(JudgeCommandRun(config, Exited(1)).status == kCommandCritical);
  BOOST_TEST(JudgeCommandRun(config, Exited(1)).problem == "exited with code 1");
}

BOOST_AUTO_TEST_CASE(json_checks_and_exports_use_the_http_language) {
  auto config = Parse(
      "command: [/bin/true]\noutput: json\n"
      "checks: ['orphaned == 0', 'len(archives) >= 2']\nexport: [archives_checked, ok, name]\n");
  auto good = JudgeCommandRun(
      config, Exited(0, R"({"orphaned": 0, "archives": [1, 2], "archives_checked": 12,
                            "ok": true, "name": "x"})"));
  BOOST_TEST(good.status == kCommandOk);
  BOOST_TEST(
      *SeriesValue(good.families, "opswatch_command_check_ok", {{"check", "orphaned == 0"}}) == 1);
  BOOST_TEST(*SeriesValue(good.families, "opswatch_command_json_value",
                          {{"field", "archives_checked"}}) == 12);
  BOOST_TEST(*SeriesValue(good.families, "opswatch_command_json_value", {{"field", "ok"}}) == 1);
  BOOST_TEST(!SeriesValue(good.families, "opswatch_command_json_value", {{"field", "name"}}));

  auto failing = JudgeCommandRun(config, Exited(0, R"({"orphaned": 3, "archives": []})"));
  BOOST_TEST(failing.status == kCommandCritical);
  BOOST_TEST(failing.problem == "check \"orphaned == 0\" failed");
  BOOST_TEST(*SeriesValue(failing.families, "opswatch_command_check_ok",
                          {{"check", "len(archives) >= 2"}}) == 0);

  auto malformed = JudgeCommandRun(config, Exited(0, "{\"orphaned\": 0,"));
  BOOST_TEST(malformed.status == kCommandCritical);
  BOOST_TEST(malformed.problem == "stdout is not valid JSON");
  BOOST_TEST(*SeriesValue(malformed.families, "opswatch_command_check_ok",
                          {{"check", "orphaned == 0"}}) == 0);
}

BOOST_AUTO_TEST_CASE(prometheus_output_is_parsed_and_relabelled) {
  auto config = Parse("command: [/bin/true]\noutput: prometheus\n");
  auto good = JudgeCommandRun(
      config, Exited(0,
                     "# HELP backup_age_seconds Age.\n# TYPE backup_age_seconds gauge\n"
                     "backup_age_seconds{db=\"a\",collector=\"theirs\"} 42\n"
                     "# TYPE jobs_total counter\njobs_total 7\nplain 1\n"));
  BOOST_TEST(good.status == kCommandOk);
  const MetricFamily* age = FindFamily(good.families, "backup_age_seconds");
  BOOST_REQUIRE(age);
  BOOST_TEST(age->help == "Age.");
  BOOST_TEST(*SeriesValue(good.families, "backup_age_seconds",
                          {{"db", "a"}, {"exported_collector", "theirs"}}) == 42);
  BOOST_TEST((FindFamily(good.families, "jobs_total")->type == MetricType::kCounter));
  BOOST_TEST(*SeriesValue(good.families, "plain") == 1);
  BOOST_TEST(FindFamily(good.families, "plain")->help ==
             "Metric read from the output of command collector c.");

  auto malformed = JudgeCommandRun(config, Exited(0, "backup_age_seconds{db=\"a\" 42\n"));
  BOOST_TEST(malformed.status == kCommandCritical);
  BOOST_TEST(malformed.problem.rfind("stdout is not valid exposition text: 1:", 0) == 0);
  BOOST_TEST(malformed.families.empty());

  auto reserved = JudgeCommandRun(config, Exited(0, "opswatch_command_status 0\n"));
  BOOST_TEST(reserved.status == kCommandCritical);
  auto histogram = JudgeCommandRun(
      config, Exited(0, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"));
  BOOST_TEST(histogram.status == kCommandCritical);
}

BOOST_AUTO_TEST_CASE(collect_publishes_the_run_and_counts_timeouts_and_truncation) {
  Fixture f;
  auto config = Parse("command: [/bin/true]\n");
  CommandCollector collector(config, f.runner_ptr, f.slots_ptr, f.clock, f.logger);
  RunContext ctx{f.clock.SteadyNow() + std::chrono::seconds(10)};
  f.runner.next = Exited(0);
  f.runner.next.timed_out = true;
  f.runner.next.exited = false;
  f.runner.next.signal = 15;
  collector.Collect(ctx);
  f.runner.next = Exited(0, "x");
  f.runner.next.stdout_dropped_bytes = 100;
  auto result = collector.Collect(ctx);
  BOOST_TEST(result.status.ok());
  BOOST_TEST(*SeriesValue(result.families, "opswatch_command_exit_code") == 0);
  BOOST_TEST(*SeriesValue(result.families, "opswatch_command_status") == 0);
  BOOST_TEST(*SeriesValue(result.families, "opswatch_command_duration_seconds") == 0.25);
  BOOST_TEST(*SeriesValue(result.families, "opswatch_command_timeouts_total") == 1);
  BOOST_TEST(*SeriesValue(result.families, "opswatch_command_output_truncated_total") == 1);

  f.runner.next = ProcessOutcome{};
  f.runner.next.start_error = "command[0] not found in PATH";
  auto failed = collector.Collect(ctx);
  BOOST_TEST(!failed.status.ok());
  BOOST_TEST(failed.status.message() == "command did not start: command[0] not found in PATH");
  BOOST_TEST(*SeriesValue(failed.families, "opswatch_command_exit_code") == -1);
  BOOST_TEST(*SeriesValue(failed.families, "opswatch_command_status") == 2);
}

BOOST_AUTO_TEST_CASE(the_spec_has_only_env_plus_path_and_the_limits) {
  Fixture f;
  auto config = Parse(
      "command: [check_thing, --token, '${TOKEN}']\nenv: {API_TOKEN: '${TOKEN}', MODE: x}\n"
      "working_dir: /srv\nmax_output_bytes: 10KiB\n");
  f.Collect(config);
  BOOST_REQUIRE_EQUAL(f.runner.specs.size(), 1u);
  const ProcessSpec& spec = f.runner.specs[0];
  BOOST_TEST(spec.argv == (std::vector<std::string>{"check_thing", "--token", "s3cr3t-token"}));
  BOOST_TEST(spec.env ==
             (std::vector<std::string>{"API_TOKEN=s3cr3t-token", "MODE=x", "PATH=/usr/bin:/bin"}));
  BOOST_TEST(spec.working_dir == "/srv");
  BOOST_TEST(spec.max_stdout_bytes == 10240u);
  BOOST_TEST(spec.timeout.count() == 10000);
  BOOST_TEST(spec.kill_grace.count() == 500);

  auto own_path = Parse("command: [x]\nenv: {PATH: /opt/bin}\n");
  f.Collect(own_path);
  BOOST_TEST(f.runner.specs.back().env == (std::vector<std::string>{"PATH=/opt/bin"}));
}

BOOST_AUTO_TEST_CASE(stderr_last_line_is_logged_with_env_values_redacted) {
  Fixture f;
  auto config = Parse("command: [x, '${TOKEN}']\nenv: {API_TOKEN: '${TOKEN}'}\noutput: nagios\n");
  f.runner.next = Exited(2, "CRITICAL - token s3cr3t-token refused",
                         "starting\nauth failed for s3cr3t-token\n\n");
  f.Collect(config);
  std::string log = f.logger.All();
  BOOST_TEST(log.find("s3cr3t-token") == std::string::npos, log);
  BOOST_TEST(log.find("stderr=auth failed for <secret>") != std::string::npos, log);
  BOOST_TEST(log.find("reason=CRITICAL - token <secret> refused") != std::string::npos, log);
  BOOST_TEST(log.find("status=critical") != std::string::npos, log);
}

BOOST_AUTO_TEST_CASE(no_free_slot_before_the_deadline_fails_the_run_without_running) {
  Fixture f;
  auto config = Parse("command: [/bin/true]\n");
  auto a = f.slots.Acquire(std::chrono::seconds(1));
  auto b = f.slots.Acquire(std::chrono::seconds(1));
  BOOST_REQUIRE(a.held() && b.held());
  CommandCollector collector(config, f.runner_ptr, f.slots_ptr, f.clock, f.logger);
  // The deadline is already here: the wait for a slot gives up at once.
  auto result = collector.Collect(RunContext{f.clock.SteadyNow()});
  BOOST_TEST(!result.status.ok());
  BOOST_TEST(f.runner.specs.empty());
}

BOOST_AUTO_TEST_CASE(builtin_rules_watch_the_status) {
  auto rules = CommandBuiltinRules("backup-check", {});
  BOOST_REQUIRE_EQUAL(rules.size(), 3u);
  BOOST_TEST(rules[0].alert == "CommandCritical");
  BOOST_TEST(rules[0].expr == "opswatch_command_status{collector=\"backup-check\"} == 2");
  BOOST_TEST(rules[0].severity == "critical");
  BOOST_TEST(rules[1].alert == "CommandWarning");
  BOOST_TEST(rules[1].expr == "opswatch_command_status{collector=\"backup-check\"} == 1");
  BOOST_TEST(rules[2].alert == "CommandUnknown");
  BOOST_TEST(rules[2].expr == "opswatch_command_status{collector=\"backup-check\"} == 3");
}
