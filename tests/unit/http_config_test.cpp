#define BOOST_TEST_MODULE http_config
#include "collectors/http/http_config.hpp"

#include <boost/test/unit_test.hpp>

#include "collectors/http/http_collector.hpp"
#include "tests/support/env.hpp"

namespace opswatch {
namespace {

struct Parsed {
  std::optional<HttpConfig> config;
  ConfigErrors errors;
  std::string Errors() const { return errors.Format("opswatch.yml"); }
};

Parsed Parse(const std::string& yaml, const testing::FakeConfigEnv& env = {},
             Millis collector_timeout = Millis(10000)) {
  Parsed out;
  YAML::Node node = YAML::Load(yaml);
  MapReader reader(node, "collectors[0]", out.errors, env);
  CollectorIdentity id{"app-health", "http", Millis(30000), collector_timeout};
  out.config = ParseHttpConfig(reader, id);
  reader.Finish();
  return out;
}

BOOST_AUTO_TEST_CASE(design_example_parses_with_defaults) {
  testing::FakeConfigEnv env;
  env.vars["MIKROSCOPE_API_TOKEN"] = "s3cr3t";
  env.files["/etc/ca.pem"] = "PEM";
  auto p = Parse(R"(
url: http://app:4310/health
headers: {Authorization: "Bearer ${MIKROSCOPE_API_TOKEN}"}
expect_status: [200]
checks: ['ok == true', 'ingest.lastError == ""', 'storage.logsFreeBytes > 1e9']
export: [storage.logsFreeBytes, storage.dbFreeBytes]
body_limit: 1MiB
tls: {ca_file: /etc/ca.pem, insecure_skip_verify: false}
thresholds: {slow: 1s, cert_expiry: 14d}
)",
                 env);
  BOOST_REQUIRE_MESSAGE(p.config, p.Errors());
  const HttpConfig& c = *p.config;
  BOOST_REQUIRE(c.targets.size() == 1);
  BOOST_TEST(c.targets[0].label == "http://app:4310/health");
  BOOST_TEST(c.headers.at(0).value.Reveal() == "Bearer s3cr3t");
  BOOST_TEST(c.checks.size() == 3);
  BOOST_TEST(c.checks[1].text() == "ingest.lastError == \"\"");
  BOOST_TEST(c.exports.size() == 2);
  BOOST_TEST(c.body_limit == 1024u * 1024u);
  BOOST_TEST(c.timeout.count() == 10000);  // the collector's timeout
  BOOST_TEST(c.method == "GET");
  BOOST_TEST(!c.follow_redirects);
  BOOST_TEST(*c.slow_seconds == 1.0);
  BOOST_TEST(c.cert_expiry_seconds == 14 * 86400.0);
  BOOST_TEST(HttpStatusExpected(c, 200));
  BOOST_TEST(!HttpStatusExpected(c, 204));
}

BOOST_AUTO_TEST_CASE(defaults_expect_2xx_and_thresholds_reach_the_rules) {
  auto p = Parse("targets: [http://a/healthz, 'https://b:8443/readyz']\n");
  BOOST_REQUIRE_MESSAGE(p.config, p.Errors());
  BOOST_TEST(HttpStatusExpected(*p.config, 204));
  BOOST_TEST(!HttpStatusExpected(*p.config, 301));
  BOOST_TEST(p.config->targets[1].https);
  BOOST_TEST(p.config->targets[1].label == "https://b:8443/readyz");
  BOOST_TEST(!p.config->slow_seconds);

  YAML::Node node = YAML::Load("url: http://a/\nthresholds: {slow: 750ms}\n");
  ConfigErrors errors;
  testing::FakeConfigEnv env;
  MapReader reader(node, "collectors[0]", errors, env);
  auto parsed = ParseHttpCollector(reader, {"x", "http", Millis(30000), Millis(10000)});
  BOOST_REQUIRE(parsed);
  BOOST_TEST(parsed->thresholds.at("slow") == 0.75);
  BOOST_TEST(parsed->thresholds.at("cert_expiry") == 14 * 86400.0);
}

BOOST_AUTO_TEST_CASE(target_label_drops_credentials_query_and_fragment) {
  BOOST_TEST(*HttpTargetLabel("https://user:pw@example.com:8443/api/health?token=abc#x") ==
             "https://example.com:8443/api/health");
  BOOST_TEST(*HttpTargetLabel("http://example.com") == "http://example.com/");
  BOOST_TEST(HttpTargetLabel("file:///etc/passwd").error() ==
             "only http:// and https:// URLs are supported");
  BOOST_TEST(HttpTargetLabel("ftp://x/").error() == "only http:// and https:// URLs are supported");
}

BOOST_AUTO_TEST_CASE(header_from_file_with_prefix) {
  testing::FakeConfigEnv env;
  env.files["/run/secrets/token"] = "t0ken\n";
  auto p = Parse(
      "url: http://a/\nheaders: {Authorization: {file: /run/secrets/token, prefix: 'Bearer '}}\n",
      env);
  BOOST_REQUIRE_MESSAGE(p.config, p.Errors());
  BOOST_TEST(p.config->headers.at(0).name == "Authorization");
  BOOST_TEST(p.config->headers.at(0).value.Reveal() == "Bearer t0ken");
}

BOOST_AUTO_TEST_CASE(invalid_configs_name_key_and_position) {
  struct Case {
    std::string yaml;
    std::string error;
  };
  const Case cases[] = {
      {"checks: ['ok == true']\n",
       "opswatch.yml:1:1: collectors[0].url: set exactly one of url and targets\n"},
      {"url: http://a/\ntargets: [http://b/]\n",
       "opswatch.yml:2:10: collectors[0].targets: set exactly one of url and targets\n"},
      {"url: file:///etc/passwd\n",
       "opswatch.yml:1:6: collectors[0].url: only http:// and https:// URLs are supported\n"},
      {"url: http://a/\nchecks: ['ok = true']\n",
       "opswatch.yml:2:14: collectors[0].checks[0]: column 4: unexpected character '=' in check "
       "\"ok = true\"\n"},
      {"url: http://a/\nchecks:\n  - ok == true\n  - storage.free >\n",
       "opswatch.yml:4:19: collectors[0].checks[1]: column 15: expected a value, path or \"(\", "
       "got end of check in check \"storage.free >\"\n"},
      {"url: http://a/\nexport: [storage.free, 'a == 1']\n",
       "opswatch.yml:2:27: collectors[0].export[1]: column 3: expected end of path, got \"==\"\n"},
      {"url: http://a/\nchecks: status == 200\n",
       "opswatch.yml:2:9: collectors[0].checks: expected a list of checks\n"},
      {"url: http://a/\nchecks: [status == 200, [x]]\n",
       "opswatch.yml:2:25: collectors[0].checks[1]: expected a check expression\n"},
      {"url: http://a/\nchecks: [status == 200, status == 200]\n",
       "opswatch.yml:2:25: collectors[0].checks[1]: duplicate check\n"},
      {"url: http://a/\nexport: a.b\n",
       "opswatch.yml:2:9: collectors[0].export: expected a list of JSON paths\n"},
      {"url: http://a/\nexport: [a.b, {k: v}]\n",
       "opswatch.yml:2:15: collectors[0].export[1]: expected a JSON path\n"},
      {"url: http://a/\nexport: [a.b, a.b]\n",
       "opswatch.yml:2:15: collectors[0].export[1]: duplicate field\n"},
      {"url: http://a/\nexpect_status: [200, 6xx]\n",
       "opswatch.yml:2:22: collectors[0].expect_status[1]: expected a status code (100-599) or "
       "class (2xx)\n"},
      {"url: http://a/\nmethod: FETCH\n",
       "opswatch.yml:2:9: collectors[0].method: expected one of GET, HEAD, POST, PUT, PATCH, "
       "DELETE, OPTIONS\n"},
      {"url: http://a/\ntimeout: 20s\n",
       "opswatch.yml:2:10: collectors[0].timeout: must not exceed the collector's timeout (10s)\n"},
      {"url: http://a/\nheaders: {X-Token: '${TOKEN}'}\n",
       "opswatch.yml:2:20: collectors[0].headers.X-Token: environment variable \"TOKEN\" is not "
       "set (write ${TOKEN:-default} to give a default)\n"},
      {"url: http://a/\nheaders: {X-Token: {file: /nope}}\n",
       "opswatch.yml:2:27: collectors[0].headers.X-Token.file: cannot read \"/nope\": No such "
       "file or directory\n"},
      {"url: http://a/\ntls: {ca_file: /nope.pem}\n",
       "opswatch.yml:2:16: collectors[0].tls.ca_file: cannot read \"/nope.pem\": No such file or "
       "directory\n"},
      {"url: http://a/\ntls: {verify: false}\n",
       "opswatch.yml:2:7: collectors[0].tls: unknown key \"verify\" (known keys: ca_file, "
       "cert_file, insecure_skip_verify, key_file, server_name)\n"},
      {"url: http://a/\nbody_limit: 0\n",
       "opswatch.yml:2:13: collectors[0].body_limit: must be greater than 0\n"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.yaml) {
      auto p = Parse(c.yaml);
      BOOST_TEST(!p.config);
      BOOST_TEST(p.Errors() == c.error);
    }
  }
}

BOOST_AUTO_TEST_CASE(url_credentials_never_reach_errors) {
  auto p = Parse("targets: ['http://u:hunter2@a/?token=abc', 'http://u:hunter2@a/?token=abc']\n");
  BOOST_TEST(!p.config);
  BOOST_TEST(p.Errors().find("hunter2") == std::string::npos);
  BOOST_TEST(p.Errors().find("abc") == std::string::npos);
  BOOST_TEST(p.Errors().find("duplicate target http://a/") != std::string::npos);
}

// ---- EvaluateHttpResponse: what a response means, without a network ----

HttpConfig MikroScopeConfig() {
  auto p = Parse(R"(
url: http://app:4310/health
checks: ['ok == true', 'ingest.lastError == ""', 'storage.logsFreeBytes > 1e9']
export: [storage.logsFreeBytes, ok, ingest.lastError, missing.field]
)");
  BOOST_REQUIRE_MESSAGE(p.config, p.Errors());
  return *p.config;
}

HttpProbeResponse Response(long status, std::string body) {
  HttpProbeResponse r;
  r.completed = true;
  r.status = status;
  r.body_bytes = body.size();
  r.body = std::move(body);
  return r;
}

BOOST_AUTO_TEST_CASE(healthy_body_is_up_and_exports_numbers_and_bools) {
  auto out = EvaluateHttpResponse(
      MikroScopeConfig(),
      Response(200, R"({"ok":true,"ingest":{"lastError":""},"storage":{"logsFreeBytes":5e9}})"));
  BOOST_TEST(out.up);
  BOOST_TEST(out.error == "");
  BOOST_REQUIRE(out.checks.size() == 3);
  for (const auto& [text, ok] : out.checks) BOOST_TEST(ok, text);
  BOOST_REQUIRE(out.exports.size() == 2);  // the string and the missing field are skipped
  BOOST_TEST(out.exports[0].first == "storage.logsFreeBytes");
  BOOST_TEST(out.exports[0].second == 5e9);
  BOOST_TEST(out.exports[1].first == "ok");
  BOOST_TEST(out.exports[1].second == 1);
}

BOOST_AUTO_TEST_CASE(each_failing_check_is_reported) {
  auto config = MikroScopeConfig();
  auto out = EvaluateHttpResponse(
      config,
      Response(200, R"({"ok":true,"ingest":{"lastError":"x"},"storage":{"logsFreeBytes":5e9}})"));
  BOOST_TEST(!out.up);
  BOOST_TEST(out.checks[0].second);
  BOOST_TEST(!out.checks[1].second);
  BOOST_TEST(out.checks[2].second);
  BOOST_TEST(out.error == "check \"ingest.lastError == \"\"\" failed");
  out = EvaluateHttpResponse(config, Response(200, R"({"ok":true,"ingest":{"lastError":""}})"));
  BOOST_TEST(!out.checks[2].second);
  BOOST_TEST(out.error ==
             "check \"storage.logsFreeBytes > 1e9\" failed: storage.logsFreeBytes is missing");
}

BOOST_AUTO_TEST_CASE(unexpected_status_invalid_json_and_transport_errors) {
  auto config = MikroScopeConfig();
  auto out = EvaluateHttpResponse(
      config,
      Response(503, R"({"ok":false,"ingest":{"lastError":""},"storage":{"logsFreeBytes":5e9}})"));
  BOOST_TEST(!out.up);
  BOOST_TEST(out.error == "unexpected status 503");
  BOOST_TEST(!out.checks[0].second);  // checks still run on a 503's body
  BOOST_TEST(out.checks[1].second);

  out = EvaluateHttpResponse(config, Response(200, "{\"ok\":tru"));
  BOOST_TEST(!out.up);
  BOOST_TEST(out.error == "check \"ok == true\" failed: body is not valid JSON");
  BOOST_TEST(out.exports.empty());

  HttpProbeResponse failed;
  failed.error = "timed out after 1s";
  out = EvaluateHttpResponse(config, failed);
  BOOST_TEST(!out.up);
  BOOST_TEST(out.error == "timed out after 1s");
  BOOST_REQUIRE(out.checks.size() == 3);
  BOOST_TEST(!out.checks[0].second);
}

BOOST_AUTO_TEST_CASE(probe_request_carries_limits) {
  auto p = Parse(
      "url: http://a/\nfollow_redirects: true\nbody_limit: 10KiB\nmethod: POST\nbody: '{}'\n");
  BOOST_REQUIRE_MESSAGE(p.config, p.Errors());
  auto request = BuildHttpProbeRequest(*p.config, p.config->targets[0], Millis(1500));
  BOOST_TEST(request.max_redirects == 5);
  BOOST_TEST(request.body_limit == 10240u);
  BOOST_TEST(request.timeout.count() == 1500);
  BOOST_TEST(request.method == "POST");
  BOOST_TEST(request.body == "{}");
}

BOOST_AUTO_TEST_CASE(cert_dates_parse_as_utc) {
  BOOST_TEST(*ParseCertDate("Jan  1 00:00:00 2030 GMT") == 1893456000.0);
  BOOST_TEST(!ParseCertDate("garbage"));
}

}  // namespace
}  // namespace opswatch
