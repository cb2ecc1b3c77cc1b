#define BOOST_TEST_MODULE scrape_collector
#include "collectors/scrape/scrape_collector.hpp"

#include <boost/test/unit_test.hpp>

namespace opswatch {
namespace {

const Labels kTarget{{"cluster", "main"}, {"instance", "node-a:8081"}, {"job", "scribe"}};

BOOST_AUTO_TEST_CASE(target_labels_are_added_to_series_without_them) {
  for (bool honor : {false, true}) {
    Labels out = AttachTargetLabels(Labels{{"method", "GET"}}, kTarget, honor);
    BOOST_TEST(out.ToString() ==
               R"({cluster="main", instance="node-a:8081", job="scribe", method="GET"})");
  }
}

BOOST_AUTO_TEST_CASE(without_honor_labels_the_exposed_value_moves_to_exported) {
  Labels out = AttachTargetLabels(Labels{{"job", "batch"}, {"instance", "pod-7"}}, kTarget, false);
  BOOST_TEST(out.Get("job") == "scribe");
  BOOST_TEST(out.Get("instance") == "node-a:8081");
  BOOST_TEST(out.Get("exported_job") == "batch");
  BOOST_TEST(out.Get("exported_instance") == "pod-7");
  BOOST_TEST(out.size() == 5u);
}

BOOST_AUTO_TEST_CASE(exported_prefix_repeats_until_the_name_is_free) {
  // exported_job is exposed too, so the target's job value goes to exported_exported_job.
  Labels out = AttachTargetLabels(Labels{{"job", "a"}, {"exported_job", "b"}}, kTarget, false);
  BOOST_TEST(out.Get("job") == "scribe");
  BOOST_TEST(out.Get("exported_job") == "b");
  BOOST_TEST(out.Get("exported_exported_job") == "a");
  // A target label named like the first candidate is skipped too.
  Labels target{{"exported_job", "t"}, {"job", "scribe"}};
  Labels out2 = AttachTargetLabels(Labels{{"job", "a"}}, target, false);
  BOOST_TEST(out2.Get("exported_job") == "t");
  BOOST_TEST(out2.Get("exported_exported_job") == "a");
}

BOOST_AUTO_TEST_CASE(honor_labels_keeps_the_exposed_value) {
  Labels out = AttachTargetLabels(Labels{{"job", "batch"}, {"cluster", "other"}}, kTarget, true);
  BOOST_TEST(out.Get("job") == "batch");
  BOOST_TEST(out.Get("cluster") == "other");
  BOOST_TEST(out.Get("instance") == "node-a:8081");
  BOOST_TEST(!out.Has("exported_job"));
}

ScrapeConfig Config() {
  ScrapeConfig config;
  config.job = "scribe";
  config.labels.Set("cluster", "main");
  config.targets.push_back(ScrapeTarget{Secret("http://node-a:8081/metrics"), "node-a:8081",
                                        "http://node-a:8081/metrics"});
  return config;
}

HttpProbeResponse Response(long status, std::string body, std::string content_type = "text/plain") {
  HttpProbeResponse r;
  r.completed = true;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

BOOST_AUTO_TEST_CASE(a_good_exposition_becomes_labelled_series) {
  auto config = Config();
  auto outcome =
      EvaluateScrapeResponse(config, config.targets[0], Response(200, R"(# HELP errs_total Errors.
# TYPE errs_total counter
errs_total{code="500"} 3
errs_total{code="503"} 1
# TYPE lat_seconds histogram
lat_seconds_bucket{le="0.1"} 2
lat_seconds_bucket{le="+Inf"} 4
lat_seconds_sum 1.5
lat_seconds_count 4
plain NaN
)"));
  BOOST_TEST(outcome.up);
  BOOST_TEST(outcome.error == "");
  BOOST_TEST(outcome.samples_scraped == 7u);
  BOOST_REQUIRE(outcome.series.size() == 5u);
  BOOST_TEST(outcome.series[0].name == "errs_total");
  BOOST_TEST(outcome.series[0].help == "Errors.");
  BOOST_TEST((outcome.series[0].type == MetricType::kCounter));
  BOOST_REQUIRE(outcome.series[0].samples.size() == 2u);
  BOOST_TEST(outcome.series[0].samples[1].labels.ToString() ==
             R"({cluster="main", code="503", instance="node-a:8081", job="scribe"})");
  BOOST_TEST(outcome.series[0].samples[1].value == 1);
  BOOST_TEST(outcome.series[1].name == "lat_seconds_bucket");
  BOOST_TEST(outcome.series[1].samples.size() == 2u);
  BOOST_TEST(outcome.series[4].name == "plain");
}

BOOST_AUTO_TEST_CASE(openmetrics_is_parsed_by_content_type) {
  auto config = Config();
  auto outcome = EvaluateScrapeResponse(
      config, config.targets[0],
      Response(200, "# TYPE a counter\na_total 1\n# EOF\n",
               "application/openmetrics-text; version=1.0.0; charset=utf-8"));
  BOOST_TEST(outcome.up, outcome.error);
  // The text format would not end without # EOF; OpenMetrics requires it.
  auto missing_eof = EvaluateScrapeResponse(
      config, config.targets[0],
      Response(200, "# TYPE a counter\na_total 1\n", "application/openmetrics-text"));
  BOOST_TEST(!missing_eof.up);
}

BOOST_AUTO_TEST_CASE(a_failed_scrape_is_up_0_with_no_series) {
  auto config = Config();
  auto malformed =
      EvaluateScrapeResponse(config, config.targets[0], Response(200, "good 1\nbad{x=\"1\" 2\n"));
  BOOST_TEST(!malformed.up);
  BOOST_TEST(malformed.series.empty());
  BOOST_TEST(malformed.samples_scraped == 0u);
  BOOST_TEST(malformed.error.starts_with("invalid exposition: 2:"), malformed.error);

  auto unavailable = EvaluateScrapeResponse(config, config.targets[0], Response(503, "x 1\n"));
  BOOST_TEST(!unavailable.up);
  BOOST_TEST(unavailable.series.empty());
  BOOST_TEST(unavailable.error == "server returned HTTP status 503");

  HttpProbeResponse refused;
  refused.error = "Couldn't connect to server";
  auto down = EvaluateScrapeResponse(config, config.targets[0], refused);
  BOOST_TEST(!down.up);
  BOOST_TEST(down.error == "Couldn't connect to server");

  config.sample_limit = 1;
  auto over = EvaluateScrapeResponse(config, config.targets[0], Response(200, "a 1\nb 2\n"));
  BOOST_TEST(!over.up);
  BOOST_TEST(over.series.empty());
}

RelabelRule Compiled(RelabelSpec spec) {
  RelabelRule rule;
  auto error = CompileRelabelRule(std::move(spec), rule);
  BOOST_REQUIRE(!error);
  return rule;
}

// Prometheus relabels after attaching the target labels, so rules can match job and instance and
// the exported_ label; the limits then count what is left.
BOOST_AUTO_TEST_CASE(metric_relabelling_sees_target_labels_and_limits_count_what_is_left) {
  auto config = Config();
  RelabelSpec rename;
  rename.source_labels = {"__name__", "exported_job"};
  rename.regex = "errs_total;(.*)";
  rename.target_label = "__name__";
  rename.replacement = "${1}_errors_total";
  config.metric_relabel_configs.push_back(Compiled(rename));
  RelabelSpec drop_cluster;
  drop_cluster.action = RelabelAction::kLabelDrop;
  drop_cluster.regex = "cluster|exported_job";
  config.metric_relabel_configs.push_back(Compiled(drop_cluster));
  config.label_limit = 4;  // __name__, code, instance, job
  auto outcome = EvaluateScrapeResponse(
      config, config.targets[0], Response(200, "errs_total{job=\"batch\",code=\"500\"} 3\n"));
  BOOST_REQUIRE_MESSAGE(outcome.up, outcome.error);
  BOOST_REQUIRE(outcome.series.size() == 1u);
  BOOST_TEST(outcome.series[0].name == "batch_errors_total");
  BOOST_TEST(outcome.series[0].samples[0].labels.ToString() ==
             R"({code="500", instance="node-a:8081", job="scribe"})");

  config.label_limit = 3;
  auto over = EvaluateScrapeResponse(config, config.targets[0],
                                     Response(200, "errs_total{job=\"batch\",code=\"500\"} 3\n"));
  BOOST_TEST(!over.up);
  BOOST_TEST(over.error ==
             "label_limit exceeded (metric: batch_errors_total, number of labels: 4, limit: 3)");
  BOOST_TEST(over.series.empty());
}

BOOST_AUTO_TEST_CASE(relabelling_away_the_name_fails_the_scrape) {
  auto config = Config();
  RelabelSpec keep;
  keep.action = RelabelAction::kLabelKeep;
  keep.regex = "job|instance";
  config.metric_relabel_configs.push_back(Compiled(keep));
  auto outcome = EvaluateScrapeResponse(config, config.targets[0], Response(200, "a 1\n"));
  BOOST_TEST(!outcome.up);
  BOOST_TEST(outcome.error == "missing metric name (__name__ label) after relabelling");
  BOOST_TEST(outcome.samples_scraped == 1u);
}

BOOST_AUTO_TEST_CASE(series_added_counts_series_the_previous_scrape_did_not_have) {
  auto config = Config();
  auto first = EvaluateScrapeResponse(config, config.targets[0], Response(200, "a 1\nb 1\n"));
  BOOST_TEST(first.series_added == 2u);
  auto second = EvaluateScrapeResponse(config, config.targets[0], Response(200, "a 2\nc 1\n"),
                                       first.fingerprints);
  BOOST_TEST(second.series_added == 1u);
  BOOST_TEST(second.samples_kept == 2u);
}

BOOST_AUTO_TEST_CASE(the_request_negotiates_like_prometheus) {
  auto config = Config();
  config.body_limit = 1234;
  config.headers.emplace_back("Authorization", Secret("Bearer t"));
  config.tls.server_name = "scribe.internal";
  config.tls.insecure_skip_verify = true;
  auto request = BuildScrapeRequest(config, config.targets[0], Millis(500));
  BOOST_TEST(request.url.Reveal() == "http://node-a:8081/metrics");
  BOOST_REQUIRE(request.headers.size() == 2u);
  BOOST_TEST(request.headers[0].first == "Authorization");
  BOOST_TEST(request.headers[0].second.Reveal() == "Bearer t");
  BOOST_TEST(request.headers[1].first == "Accept");
  BOOST_TEST(request.headers[1].second.Reveal().starts_with("application/openmetrics-text"));
  BOOST_TEST(request.accept_encoding == "gzip");
  BOOST_TEST(request.tls.server_name == "scribe.internal");
  BOOST_TEST(request.tls.insecure_skip_verify);
  BOOST_TEST(request.body_limit == 1234u);
  BOOST_TEST(request.timeout.count() == 500);
}

}  // namespace
}  // namespace opswatch
