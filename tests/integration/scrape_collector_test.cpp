#define BOOST_TEST_MODULE scrape_collector
#include "collectors/scrape/scrape_collector.hpp"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <mutex>

#include "collectors/http_probe_loop.hpp"
#include "tests/support/http_test_server.hpp"
#include "tests/support/metric_lookup.hpp"

namespace opswatch {
namespace {

class RecordingLogger final : public Logger {
 public:
  bool Enabled(LogLevel) const override { return true; }
  void Log(LogLevel, std::string_view message, std::initializer_list<LogField> fields) override {
    std::string line(message);
    for (const auto& field : fields) line += " " + field.key + "=" + field.value;
    std::lock_guard lock(mu_);
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

const char* kGood = R"(# HELP scribe_errors_total Errors served.
# TYPE scribe_errors_total counter
scribe_errors_total{code="500"} 7
# HELP scribe_storage_keys_total Keys stored.
# TYPE scribe_storage_keys_total gauge
scribe_storage_keys_total{job="exposed"} 912345
# TYPE scribe_request_duration_seconds histogram
scribe_request_duration_seconds_bucket{le="0.1"} 3
scribe_request_duration_seconds_bucket{le="+Inf"} 5
scribe_request_duration_seconds_sum 0.9
scribe_request_duration_seconds_count 5
)";

// Every series the collector handed over, published or not.
std::vector<MetricFamily> Everything(const CollectResult& result) {
  std::vector<MetricFamily> all = result.foreign;
  all.insert(all.end(), result.foreign_unexposed.begin(), result.foreign_unexposed.end());
  return all;
}

// NaN when the series is missing, so a failed lookup fails the comparison instead of reading an
// empty optional.
double Value(const std::vector<MetricFamily>& families, const std::string& name,
             const Labels& labels) {
  return testing::SeriesValue(families, name, labels).value_or(std::nan(""));
}

struct Fixture {
  RecordingLogger logger;
  RealClock clock;
  testing::HttpTestServer good;
  testing::HttpTestServer malformed;
  testing::HttpTestServer unavailable;
  HttpProbeLoop loop{logger};

  ScrapeConfig Config() {
    ScrapeConfig config;
    config.job = "scribe-ledger";
    config.labels.Set("cluster", "main");
    config.timeout = Millis(3000);
    for (auto* server : {&good, &malformed, &unavailable}) {
      std::string instance = "127.0.0.1:" + std::to_string(server->port());
      config.targets.push_back(ScrapeTarget{Secret("http://scraper:pw@" + instance + "/metrics"),
                                            instance, "http://" + instance + "/metrics"});
    }
    return config;
  }
  std::string Instance(const testing::HttpTestServer& server) const {
    return "127.0.0.1:" + std::to_string(server.port());
  }
  Labels Target(const testing::HttpTestServer& server) const {
    return Labels{{"cluster", "main"}, {"instance", Instance(server)}, {"job", "scribe-ledger"}};
  }
};

BOOST_FIXTURE_TEST_CASE(scrapes_good_malformed_and_unavailable_targets, Fixture) {
  good.SetExposition(200, "text/plain; version=0.0.4; charset=utf-8", kGood);
  malformed.SetExposition(200, "text/plain; version=0.0.4",
                          "ok_metric 1\nbroken_metric{a=\"1\" 2\n");
  unavailable.SetExposition(503, "text/plain", "scribe_errors_total 1\n");

  ScrapeCollector collector(Config(), loop, clock, logger);
  CollectResult result = collector.Collect({clock.SteadyNow() + std::chrono::seconds(5)});
  BOOST_TEST(result.status.ok());
  // Nothing gets collector=: the report series are published, the scraped ones (expose: false)
  // only go to the rule history.
  BOOST_TEST(result.families.empty());
  BOOST_TEST(testing::FindFamily(result.foreign, "up"));
  BOOST_TEST(!testing::FindFamily(result.foreign, "scribe_errors_total"));
  BOOST_TEST(testing::FindFamily(result.foreign_unexposed, "scribe_errors_total"));
  const auto f = Everything(result);

  BOOST_TEST(Value(f, "up", Target(good)) == 1);
  BOOST_TEST(Value(f, "up", Target(malformed)) == 0);
  BOOST_TEST(Value(f, "up", Target(unavailable)) == 0);
  BOOST_TEST(Value(f, "scrape_samples_scraped", Target(good)) == 6);
  BOOST_TEST(Value(f, "scrape_samples_scraped", Target(malformed)) == 0);
  BOOST_TEST(Value(f, "scrape_samples_scraped", Target(unavailable)) == 0);
  for (auto* server : {&good, &malformed, &unavailable}) {
    auto duration = testing::SeriesValue(f, "scrape_duration_seconds", Target(*server));
    BOOST_REQUIRE(duration);
    BOOST_TEST(*duration >= 0);
    BOOST_TEST(*duration < 5);
  }
  BOOST_TEST(good.last_accept() == kScrapeAcceptHeader);

  // The good target's series, with job/instance/static labels; none of the failed targets'.
  BOOST_TEST(Value(f, "scribe_errors_total", Labels(Target(good)).Set("code", "500")) == 7);
  BOOST_TEST(Value(f, "scribe_storage_keys_total",
                   Labels(Target(good)).Set("exported_job", "exposed")) == 912345);
  BOOST_TEST(Value(f, "scribe_request_duration_seconds_bucket",
                   Labels(Target(good)).Set("le", "0.1")) == 3);
  BOOST_TEST(Value(f, "scribe_request_duration_seconds_count", Target(good)) == 5);
  BOOST_TEST(testing::FindFamily(f, "scribe_errors_total")->samples.size() == 1u);
  BOOST_TEST(!testing::FindFamily(f, "ok_metric"));

  // One log line per failed target: the target without credentials, and why.
  const auto lines = logger.lines();
  auto line_for = [&](const testing::HttpTestServer& server) {
    std::string found;
    for (const auto& line : lines) {
      if (line.find("target=http://" + Instance(server) + "/metrics") != std::string::npos) {
        found = line;
      }
    }
    return found;
  };
  BOOST_TEST(line_for(malformed).find("scrape target is down") != std::string::npos,
             line_for(malformed));
  BOOST_TEST(line_for(malformed).find("reason=invalid exposition: 2:") != std::string::npos,
             line_for(malformed));
  BOOST_TEST(line_for(unavailable).find("server returned HTTP status 503") != std::string::npos,
             line_for(unavailable));
  BOOST_TEST(line_for(good).empty(), line_for(good));
  for (const auto& line : lines) BOOST_TEST(line.find("pw") == std::string::npos, line);

  // A target that recovers is up again with its series, and says so once.
  malformed.SetExposition(200, "application/openmetrics-text; version=1.0.0",
                          "# TYPE ok_metric gauge\nok_metric 1\n# EOF\n");
  result = collector.Collect({clock.SteadyNow() + std::chrono::seconds(5)});
  BOOST_TEST(Value(Everything(result), "up", Target(malformed)) == 1);
  BOOST_TEST(Value(Everything(result), "ok_metric", Target(malformed)) == 1);
  // Its one series is new; the good target's five series were there the last time.
  BOOST_TEST(Value(Everything(result), "scrape_series_added", Target(malformed)) == 1);
  BOOST_TEST(Value(Everything(result), "scrape_series_added", Target(good)) == 0);
  BOOST_TEST(logger.lines().back().find("scrape target is up") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_body_over_the_limit_fails_only_its_target, Fixture) {
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "m{i=\"" + std::to_string(i) + "\"} 1\n";
  good.SetExposition(200, "text/plain", big);
  malformed.SetExposition(200, "text/plain", "small 1\n");
  unavailable.SetExposition(200, "text/plain", "small 2\n");
  ScrapeConfig config = Config();
  config.body_limit = 4096;
  ScrapeCollector collector(config, loop, clock, logger);
  CollectResult result = collector.Collect({clock.SteadyNow() + std::chrono::seconds(5)});
  const auto f = Everything(result);
  BOOST_TEST(Value(f, "up", Target(good)) == 0);
  BOOST_TEST(Value(f, "up", Target(malformed)) == 1);
  BOOST_TEST(Value(f, "small", Target(unavailable)) == 2);
  BOOST_TEST(!testing::FindFamily(f, "m"));
}

BOOST_FIXTURE_TEST_CASE(relabelling_and_limits_apply_per_target_and_expose_publishes, Fixture) {
  std::string many;
  for (int i = 0; i < 5; ++i) many += "go_gc_" + std::to_string(i) + " 1\n";
  good.SetExposition(200, "text/plain", many + "app_requests_total{code=\"503\"} 4\n");
  malformed.SetExposition(200, "text/plain", many);
  unavailable.SetExposition(200, "text/plain", "wide{a=\"1\",b=\"2\"} 1\n");
  ScrapeConfig config = Config();
  config.expose = true;
  // go_* dropped before sample_limit counts: the good target keeps one sample and stays up.
  config.sample_limit = 4;
  config.label_limit = 5;  // __name__, job, instance, cluster, a, b: 6
  RelabelRule drop_go;
  RelabelSpec spec;
  spec.source_labels = {"__name__", "code"};
  spec.regex = "go_.*;";
  spec.action = RelabelAction::kDrop;
  BOOST_REQUIRE(!CompileRelabelRule(spec, drop_go));
  config.metric_relabel_configs.push_back(drop_go);
  ScrapeCollector collector(config, loop, clock, logger);
  CollectResult result = collector.Collect({clock.SteadyNow() + std::chrono::seconds(5)});
  BOOST_TEST(result.foreign_unexposed.empty());
  const auto& f = result.foreign;
  BOOST_TEST(Value(f, "up", Target(good)) == 1);
  BOOST_TEST(Value(f, "scrape_samples_scraped", Target(good)) == 6);
  BOOST_TEST(Value(f, "scrape_samples_post_metric_relabeling", Target(good)) == 1);
  BOOST_TEST(Value(f, "app_requests_total", Labels(Target(good)).Set("code", "503")) == 4);
  BOOST_TEST(!testing::FindFamily(f, "go_gc_0"));
  BOOST_TEST(Value(f, "up", Target(malformed)) == 1);  // everything dropped is not a failure
  BOOST_TEST(Value(f, "scrape_samples_post_metric_relabeling", Target(malformed)) == 0);
  BOOST_TEST(Value(f, "up", Target(unavailable)) == 0);
  BOOST_TEST(!testing::FindFamily(f, "wide"));

  config.metric_relabel_configs.clear();  // now the five go_* samples count: over the limit
  ScrapeCollector unfiltered(config, loop, clock, logger);
  result = unfiltered.Collect({clock.SteadyNow() + std::chrono::seconds(5)});
  BOOST_TEST(Value(result.foreign, "up", Target(good)) == 0);
  BOOST_TEST(!testing::FindFamily(result.foreign, "app_requests_total"));
  bool logged = false;
  for (const auto& line : logger.lines()) {
    logged = logged || line.find("sample_limit exceeded") != std::string::npos;
  }
  BOOST_TEST(logged);
}

}  // namespace
}  // namespace opswatch
