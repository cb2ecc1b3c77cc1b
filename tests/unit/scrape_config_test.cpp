#define BOOST_TEST_MODULE scrape_config
#include "collectors/scrape/scrape_config.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/env.hpp"

namespace opswatch {
namespace {

struct Parsed {
  std::optional<ScrapeConfig> config;
  ConfigErrors errors;
  std::string Errors() const { return errors.Format("opswatch.yml"); }
};

Parsed Parse(const std::string& yaml, Millis collector_timeout = Millis(10000)) {
  Parsed out;
  testing::FakeConfigEnv env;
  YAML::Node node = YAML::Load(yaml);
  MapReader reader(node, "collectors[0]", out.errors, env);
  CollectorIdentity id{"scribe", "scrape", Millis(30000), collector_timeout};
  out.config = ParseScrapeConfig(reader, id);
  reader.Finish();
  return out;
}

BOOST_AUTO_TEST_CASE(example_parses_with_defaults) {
  auto p = Parse(R"(
job: scribe-ledger
targets: [http://127.0.0.1:8081/metrics, 'https://user:pw@node-b/metrics?token=x', 'http://[::1]:9100/m']
labels: {cluster: main}
honor_labels: true
sample_limit: 50000
)",
                 Millis(4000));
  BOOST_REQUIRE_MESSAGE(p.config, p.Errors());
  const ScrapeConfig& c = *p.config;
  BOOST_TEST(c.job == "scribe-ledger");
  BOOST_REQUIRE(c.targets.size() == 3);
  BOOST_TEST(c.targets[0].instance == "127.0.0.1:8081");
  BOOST_TEST(c.targets[1].instance == "node-b:443");
  BOOST_TEST(c.targets[1].log_name == "https://node-b:443/metrics");
  BOOST_TEST(c.targets[1].url.Reveal() == "https://user:pw@node-b/metrics?token=x");
  BOOST_TEST(c.targets[2].instance == "[::1]:9100");
  BOOST_TEST(c.labels.Get("cluster") == "main");
  BOOST_TEST(c.honor_labels);
  BOOST_TEST(c.sample_limit == 50000u);
  BOOST_TEST(c.body_limit == 10u * 1024u * 1024u);
  BOOST_TEST(c.timeout.count() == 4000);
}

BOOST_AUTO_TEST_CASE(instance_fills_the_port_from_the_scheme) {
  BOOST_TEST(*ScrapeInstance("http://node-a/metrics") == "node-a:80");
  BOOST_TEST(*ScrapeInstance("https://node-a/metrics") == "node-a:443");
  BOOST_TEST(*ScrapeInstance("http://node-a:9090/metrics") == "node-a:9090");
  BOOST_TEST(!ScrapeInstance("ftp://node-a/metrics").ok());
}

void ExpectError(const std::string& yaml, const std::string& message) {
  auto p = Parse(yaml);
  BOOST_TEST(!p.config);
  BOOST_TEST(p.Errors().find(message) != std::string::npos, "expected \"" << message << "\" in:\n"
                                                                          << p.Errors());
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_key) {
  ExpectError("targets: [http://a/metrics]\n", "collectors[0].job: missing required key");
  ExpectError("job: ''\ntargets: [http://a/metrics]\n", "collectors[0].job: must not be empty");
  ExpectError("job: j\n", "collectors[0].targets: missing required key");
  ExpectError("job: j\ntargets: []\n", "collectors[0].targets: must list at least one URL");
  ExpectError("job: j\ntargets: ['file:///etc/passwd']\n", "collectors[0].targets: [0]: ");
  ExpectError("job: j\ntargets: [http://a/metrics, 'http://a:80/x']\n",
              "collectors[0].targets: [1]: duplicate instance a:80");
  ExpectError("job: j\ntargets: [http://a/m]\nlabels: {job: x}\n",
              "collectors[0].labels: \"job\" comes from the job key");
  ExpectError("job: j\ntargets: [http://a/m]\nlabels: {__x: y}\n",
              "collectors[0].labels: invalid label name \"__x\"");
  ExpectError("job: j\ntargets: [http://a/m]\nlabels: {'a-b': y}\n",
              "collectors[0].labels: invalid label name \"a-b\"");
  ExpectError("job: j\ntargets: [http://a/m]\nlabels: {a: ''}\n",
              "collectors[0].labels: label \"a\" has an empty value");
  ExpectError("job: j\ntargets: [http://a/m]\nsample_limit: -1\n",
              "collectors[0].sample_limit: must not be negative");
  ExpectError("job: j\ntargets: [http://a/m]\nbody_limit: 0\n",
              "collectors[0].body_limit: must be greater than 0");
  ExpectError("job: j\ntargets: [http://a/m]\nhonor_labels: maybe\n", "collectors[0].honor_labels");
  ExpectError("job: j\ntargets: [http://a/m]\nlabel_limit: -2\n",
              "collectors[0].label_limit: must not be negative");
  ExpectError("job: j\ntargets: [http://a/m]\nheaders: {'X Y': v}\n",
              "collectors[0].headers: invalid header name \"X Y\"");
  ExpectError("job: j\ntargets: [http://a/m]\nmetric_relabel_configs: {action: drop}\n",
              "collectors[0].metric_relabel_configs: must be a list of relabel configs");
  ExpectError("job: j\ntargets: [http://a/m]\nmetric_relabel_configs: [{action: keep, bogus: 1}]\n",
              "collectors[0].metric_relabel_configs[0]: unknown key \"bogus\"");
  ExpectError(
      "job: j\ntargets: [http://a/m]\nmetric_relabel_configs: [{regex: '(', action: drop}]\n",
      "collectors[0].metric_relabel_configs[0].regex: invalid regular expression");
  // ${...} is the config's environment syntax, so Go's ${1} is written $${1}.
  ExpectError(
      "job: j\ntargets: [http://a/m]\nmetric_relabel_configs: [{target_label: x, replacement: "
      "'${1}'}]\n",
      "replacement: invalid environment variable reference \"${1}\"");
  ExpectError("job: j\ntargets: [http://a/m]\ntls: {ca_file: /missing/ca.pem}\n",
              "collectors[0].tls.ca_file: cannot read \"/missing/ca.pem\"");
  ExpectError("job: j\ntargets: [http://a/m]\ntls: {verify: false}\n",
              "collectors[0].tls: unknown key \"verify\"");
}

BOOST_AUTO_TEST_CASE(tls_is_read_as_for_the_http_collector) {
  auto p = Parse(
      "job: j\ntargets: [https://a/m]\n"
      "tls: {server_name: scribe.internal, insecure_skip_verify: true}\n");
  BOOST_REQUIRE_MESSAGE(p.config, p.Errors());
  BOOST_TEST(p.config->tls.server_name == "scribe.internal");
  BOOST_TEST(p.config->tls.insecure_skip_verify);
}

BOOST_AUTO_TEST_CASE(limits_relabelling_headers_and_expose_are_read) {
  auto p = Parse(R"(
job: j
targets: [http://a/m]
label_limit: 30
headers: {Authorization: Bearer t0k}
expose: true
metric_relabel_configs:
  - {source_labels: [__name__], regex: 'go_.*', action: drop}
  - {source_labels: [code], regex: '(5)..', target_label: class, replacement: '$${1}xx'}
)");
  BOOST_REQUIRE_MESSAGE(p.config, p.Errors());
  BOOST_TEST(p.config->label_limit == 30u);
  BOOST_TEST(p.config->sample_limit == 0u);
  BOOST_TEST(p.config->expose);
  BOOST_REQUIRE(p.config->headers.size() == 1u);
  BOOST_TEST(p.config->headers[0].first == "Authorization");
  BOOST_TEST(p.config->headers[0].second.Reveal() == "Bearer t0k");
  BOOST_REQUIRE(p.config->metric_relabel_configs.size() == 2u);
  BOOST_TEST((p.config->metric_relabel_configs[0].spec.action == RelabelAction::kDrop));
  BOOST_TEST(p.config->metric_relabel_configs[1].spec.replacement == "${1}xx");
  BOOST_TEST(!Parse("job: j\ntargets: [http://a/m]\n").config->expose);
}

}  // namespace
}  // namespace opswatch
