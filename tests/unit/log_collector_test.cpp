// The log collector on real files with a FakeClock: JSON and regex events with labels, the label
// cap, invalid UTF-8 and JSON, cut lines, last-line time, and counts that survive a restart and a
// crash between reading and saving exactly once.
#define BOOST_TEST_MODULE log_collector
#include "collectors/log/log_collector.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "collectors/collector_services.hpp"
#include "collectors/log/log_config.hpp"
#include "collectors/log/log_file_identity.hpp"
#include "collectors/log/log_state.hpp"
#include "core/fake_clock.hpp"
#include "tests/support/env.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch;
namespace fs = std::filesystem;

namespace {

void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

// The value of the sample of `family` whose labels include all of `want`; NaN when none.
double Value(const CollectResult& result, const std::string& family, const Labels& want) {
  for (const MetricFamily& f : result.families) {
    if (f.name != family) continue;
    for (const Sample& s : f.samples) {
      bool all = true;
      for (const auto& label : want.items()) all = all && s.labels.Get(label.name) == label.value;
      if (all) return s.value;
    }
  }
  return std::nan("");
}

size_t SampleCount(const CollectResult& result, const std::string& family) {
  for (const MetricFamily& f : result.families) {
    if (f.name == family) return f.samples.size();
  }
  return 0;
}

struct Fixture {
  testing::TempDir dir;
  std::string log = dir.Join("logs/app.log");
  std::string state_dir = dir.Join("state");
  FakeClock clock;
  NullLogger logger;
  CollectorServices services{clock, logger, nullptr};

  Fixture() { fs::create_directories(dir.Join("logs")); }

  std::unique_ptr<Collector> Make(const std::string& yaml) {
    YAML::Node node = YAML::Load(yaml);
    testing::FakeConfigEnv env;
    ConfigErrors errors;
    MapReader reader(node, "collectors[0]", errors, env);
    CollectorIdentity id{"app", "log", Millis(30000), Millis(10000), state_dir};
    auto parsed = ParseLogCollector(reader, id);
    reader.Finish();
    BOOST_REQUIRE_MESSAGE(parsed && errors.empty(), errors.Format("test.yml"));
    return parsed->create(services);
  }
  CollectResult Run(Collector& c) {
    return c.Collect(RunContext{clock.SteadyNow() + std::chrono::seconds(10)});
  }
  std::string Paths() const { return "paths: [" + dir.Join("logs") + "/*.log]\n"; }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(json_and_regex_events_with_labels, Fixture) {
  Append(log, R"({"event":"reports.slow_query","totalMs":2500,"report":"daily"})"
              "\n"
              R"({"event":"reports.slow_query","totalMs":100,"report":"daily"})"
              "\n"
              R"({"event":"reports.slow_query","totalMs":9000,"report":"weekly"})"
              "\n"
              R"({"level":"error","msg":"disk full"})"
              "\n"
              "not json at all\n");
  auto c = Make(Paths() + R"yaml(
from_beginning: true
format: json
events:
  - name: slow_query
    match: 'event == "reports.slow_query" && totalMs > 2000'
    labels: [report]
  - name: errors
    regex: '"level":"(?P<level>error|fatal)"'
    labels: [level]
)yaml");
  CollectResult r = Run(*c);
  BOOST_TEST(r.status.ok(), r.status.message());
  BOOST_TEST(
      Value(r, "opswatch_log_events_total", {{"event", "slow_query"}, {"report", "daily"}}) == 1);
  BOOST_TEST(
      Value(r, "opswatch_log_events_total", {{"event", "slow_query"}, {"report", "weekly"}}) == 1);
  BOOST_TEST(Value(r, "opswatch_log_events_total", {{"event", "errors"}, {"level", "error"}}) == 1);
  BOOST_TEST(Value(r, "opswatch_log_lines_total", {{"path", log}}) == 5);
  BOOST_TEST(
      Value(r, "opswatch_log_read_errors_total", {{"path", log}, {"reason", "invalid_json"}}) == 1);
}

BOOST_FIXTURE_TEST_CASE(text_lines_grep_style_and_body_matches, Fixture) {
  Append(log, "job completed\nERROR: x failed\nwarning: slow\nall good\n");
  auto c = Make(Paths() + R"(
from_beginning: true
events:
  - {name: errors, regex: '(?i)error|failed'}
  - {name: warnings, match: 'body =~ "(?i)warning"'}
  - {name: never, regex: 'no such text'}
)");
  CollectResult r = Run(*c);
  BOOST_TEST(Value(r, "opswatch_log_events_total", {{"event", "errors"}}) == 1);
  BOOST_TEST(Value(r, "opswatch_log_events_total", {{"event", "warnings"}}) == 1);
  // An event without labels is published at 0, so rate() and increase() see it from the start.
  BOOST_TEST(Value(r, "opswatch_log_events_total", {{"event", "never"}}) == 0);
}

BOOST_FIXTURE_TEST_CASE(label_values_are_capped_with_other_and_an_overflow_count, Fixture) {
  for (int i = 0; i < 10; ++i) Append(log, "user=u" + std::to_string(i) + " login\n");
  auto c = Make(Paths() + R"(
from_beginning: true
label_limit: 3
events:
  - {name: login, regex: 'user=(?P<user>\w+) login', labels: [user]}
)");
  CollectResult r = Run(*c);
  BOOST_TEST(SampleCount(r, "opswatch_log_events_total") == 4u);
  BOOST_TEST(Value(r, "opswatch_log_events_total", {{"user", "other"}}) == 7);
  BOOST_TEST(Value(r, "opswatch_log_events_total", {{"user", "u0"}}) == 1);
  BOOST_TEST(Value(r, "opswatch_log_label_overflow_total", {{"event", "login"}}) == 7);
  // A value already seen keeps its own series.
  Append(log, "user=u1 login\n");
  r = Run(*c);
  BOOST_TEST(Value(r, "opswatch_log_events_total", {{"user", "u1"}}) == 2);
}

BOOST_FIXTURE_TEST_CASE(invalid_utf8_is_counted_and_skipped_and_long_lines_cut, Fixture) {
  Append(log, "bad \xff\xfe error\n" + std::string(100, 'e') + "rror\nerror\n");
  auto c = Make(Paths() + R"(
from_beginning: true
max_line_bytes: 50
events:
  - {name: errors, regex: 'error'}
)");
  CollectResult r = Run(*c);
  BOOST_TEST(Value(r, "opswatch_log_lines_total", {{"path", log}}) == 3);
  BOOST_TEST(
      Value(r, "opswatch_log_read_errors_total", {{"path", log}, {"reason", "invalid_utf8"}}) == 1);
  BOOST_TEST(Value(r, "opswatch_log_lines_cut_total", {{"path", log}}) == 1);
  // Only the last line: the bad one is skipped, the long one's match lies past the cut.
  BOOST_TEST(Value(r, "opswatch_log_events_total", {{"event", "errors"}}) == 1);
}

BOOST_FIXTURE_TEST_CASE(last_line_time_starts_at_the_mtime_then_follows_reads, Fixture) {
  Append(log, "old\n");
  auto c = Make(Paths());
  CollectResult r = Run(*c);
  auto info = StatLogPath(log);
  BOOST_REQUIRE(info);
  BOOST_TEST(Value(r, "opswatch_log_last_line_timestamp_seconds", {{"path", log}}) ==
             info->mtime_seconds);
  clock.Advance(std::chrono::minutes(1));
  Append(log, "new\n");
  r = Run(*c);
  BOOST_TEST(Value(r, "opswatch_log_last_line_timestamp_seconds", {{"path", log}}) ==
             ToUnixSeconds(clock.SystemNow()));
}

BOOST_FIXTURE_TEST_CASE(a_removed_path_loses_its_series, Fixture) {
  Append(log, "x\n");
  auto c = Make(Paths() + "from_beginning: true\n");
  CollectResult r = Run(*c);
  BOOST_TEST(Value(r, "opswatch_log_lines_total", {{"path", log}}) == 1);
  fs::remove(log);
  r = Run(*c);
  BOOST_TEST(SampleCount(r, "opswatch_log_lines_total") == 0u);
}

BOOST_FIXTURE_TEST_CASE(counts_survive_a_restart_and_a_crash_before_saving_exactly_once, Fixture) {
  const std::string yaml = Paths() + R"(
format: json
events:
  - {name: slow, match: 'ms > 100', labels: [report]}
)";
  auto line = [](int i) {
    return R"({"ms":)" + std::to_string(i % 2 ? 500 : 50) + R"(,"report":"r)" +
           std::to_string(i % 3) + "\"}\n";
  };
  int written = 0;
  auto write = [&](int n) {
    for (int i = 0; i < n; ++i) Append(log, line(written++));
  };
  write(3);  // before the first run: not counted (start at the end)
  const int before_start = written;
  auto first = Make(yaml);
  Run(*first);
  write(10);
  Run(*first);
  std::string state_file = LogStatePath(state_dir, "app");
  std::string saved = testing::ReadFileOrDie(state_file);
  write(7);
  Run(*first);
  first.reset();
  // A crash after the last run read its lines but before it saved: the state is the previous run's.
  {
    std::ofstream out(state_file, std::ios::trunc | std::ios::binary);
    out << saved;
  }
  write(5);
  auto second = Make(yaml);
  CollectResult r = Run(*second);
  BOOST_TEST(Value(r, "opswatch_log_lines_total", {{"path", log}}) == written - before_start);
  double slow = 0;
  for (const MetricFamily& f : r.families) {
    if (f.name != "opswatch_log_events_total") continue;
    for (const Sample& s : f.samples) slow += s.value;
  }
  int expected = 0;
  for (int i = before_start; i < written; ++i) expected += i % 2 ? 1 : 0;
  BOOST_TEST(slow == expected);
}

const HistogramValue* Histogram(const CollectResult& result, const std::string& event) {
  for (const MetricFamily& f : result.families) {
    if (f.name != "opswatch_log_event_value") continue;
    BOOST_TEST((f.type == MetricType::kHistogram));
    for (const Sample& s : f.samples) {
      if (s.labels.Get("event") == event && s.histogram) return &*s.histogram;
    }
  }
  return nullptr;
}

BOOST_FIXTURE_TEST_CASE(logfmt_fields_labels_and_a_value_histogram, Fixture) {
  Append(log,
         "level=warn event=reports.slow_query report=daily totalMs=2500\n"
         "level=warn event=reports.slow_query report=\"weekly sales\" totalMs=100\n"
         "level=warn event=reports.slow_query report=daily totalMs=\"900\"\n"
         "level=warn event=reports.slow_query report=daily totalMs=slow\n"
         "level=info msg=\"unterminated\n"
         "level=error msg=\"took 7ms\"\n");
  const std::string events = R"(
format: logfmt
events:
  - name: slow_query
    match: 'event == "reports.slow_query"'
    labels: [report]
    value: totalMs
    buckets: [100, 1000]
  - name: took
    regex: 'took (?P<ms>\d+)ms'
    value: ms
)";
  auto c = Make(Paths() + "from_beginning: true\n" + events);
  CollectResult r = Run(*c);
  BOOST_TEST(r.status.ok(), r.status.message());
  BOOST_TEST(
      Value(r, "opswatch_log_events_total", {{"event", "slow_query"}, {"report", "daily"}}) == 3);
  BOOST_TEST(Value(r, "opswatch_log_events_total",
                   {{"event", "slow_query"}, {"report", "weekly sales"}}) == 1);
  const HistogramValue* slow = Histogram(r, "slow_query");
  BOOST_TEST_REQUIRE(slow);
  // 100 falls in le="100" (inclusive), the quoted "900" is a number in full, "slow" is not.
  BOOST_TEST(slow->count == 3u);
  BOOST_TEST(slow->sum == 3500);
  BOOST_TEST_REQUIRE(slow->buckets.size() == 2u);
  BOOST_TEST(slow->buckets[0].first == 100);
  BOOST_TEST(slow->buckets[0].second == 1u);
  BOOST_TEST(slow->buckets[1].second == 2u);
  // Without buckets: count and sum only (the +Inf bucket).
  const HistogramValue* took = Histogram(r, "took");
  BOOST_TEST_REQUIRE(took);
  BOOST_TEST(took->count == 1u);
  BOOST_TEST(took->sum == 7);
  BOOST_TEST(took->buckets.empty());
  BOOST_TEST(Value(r, "opswatch_log_read_errors_total",
                   {{"path", log}, {"reason", "invalid_logfmt"}}) == 1);
  BOOST_TEST(Value(r, "opswatch_log_read_errors_total",
                   {{"path", log}, {"reason", "invalid_value"}}) == 1);

  // The histogram continues across a restart, like the counters.
  c.reset();
  Append(log, "event=reports.slow_query report=daily totalMs=5000\n");
  auto again = Make(Paths() + events);
  r = Run(*again);
  slow = Histogram(r, "slow_query");
  BOOST_TEST_REQUIRE(slow);
  BOOST_TEST(slow->count == 4u);
  BOOST_TEST(slow->sum == 8500);
  BOOST_TEST(slow->buckets[1].second == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_damaged_state_file_is_ignored, Fixture) {
  std::string state_file = LogStatePath(state_dir, "app");
  fs::create_directories(fs::path(state_file).parent_path());
  Append(state_file, "{not json");
  Append(log, "a\n");
  auto c = Make(Paths() + "from_beginning: true\n");
  CollectResult r = Run(*c);
  BOOST_TEST(r.status.ok());
  BOOST_TEST(Value(r, "opswatch_log_lines_total", {{"path", log}}) == 1);
}

BOOST_AUTO_TEST_CASE(state_path_escapes_the_collector_name) {
  BOOST_TEST(LogStatePath("/s", "app-logs_1.x") == "/s/log/app-logs_1.x.json");
  BOOST_TEST(LogStatePath("/s", "../a b") == "/s/log/%2E.%2Fa%20b.json");
}
