#define BOOST_TEST_MODULE http_collector
#include "collectors/http/http_collector.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

#include "collectors/http_probe_loop.hpp"
#include "core/bounded_read.hpp"
#include "tests/support/http_test_server.hpp"
#include "tests/support/metric_lookup.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace opswatch {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class OsConfigEnv final : public ConfigEnv {
 public:
  std::optional<std::string> GetEnv(const std::string& name) const override {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  }
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) const override {
    return ReadBoundedFile(path, max_bytes);
  }
};

const char* kHealthy =
    R"({"ok":true,"ingest":{"lastError":""},"storage":{"logsFreeBytes":5e9,"dbFreeBytes":2e9}})";
const char* kChecks = R"(checks: ['ok == true', 'ingest.lastError == ""',
         'storage.logsFreeBytes > 1e9', 'storage.dbFreeBytes > 1e9']
export: [storage.logsFreeBytes, storage.dbFreeBytes, ok]
)";

struct Fixture {
  NullLogger logger;
  RealClock clock;
  testing::HttpTestServer server;
  HttpProbeLoop loop{logger};

  HttpConfig Config(const std::string& yaml, Millis collector_timeout = Millis(5000)) {
    ConfigErrors errors;
    OsConfigEnv env;
    YAML::Node node = YAML::Load(yaml);
    MapReader reader(node, "collectors[0]", errors, env);
    auto config = ParseHttpConfig(reader, {"app", "http", Millis(30000), collector_timeout});
    reader.Finish();
    BOOST_REQUIRE_MESSAGE(config && errors.empty(), errors.Format("test.yml"));
    return *config;
  }
  std::string Url(const std::string& path) const { return server.base_url() + path; }

  CollectResult Collect(HttpCollector& collector, milliseconds deadline = milliseconds(5000)) {
    return collector.Collect(RunContext{clock.SteadyNow() + deadline});
  }

  // Probes once through the loop, bypassing the collector, to see the raw response.
  HttpProbeResponse Probe(HttpProbeRequest request) {
    std::promise<HttpProbeResponse> promise;
    auto future = promise.get_future();
    loop.Submit(std::move(request),
                [&promise](HttpProbeResponse r) { promise.set_value(std::move(r)); });
    BOOST_REQUIRE(future.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    return future.get();
  }
  HttpProbeRequest Request(const std::string& url) {
    HttpProbeRequest r;
    r.url = Secret(url);
    r.timeout = Millis(5000);
    return r;
  }
};

std::optional<double> Value(const CollectResult& result, const std::string& name,
                            const Labels& labels) {
  return testing::SeriesValue(result.families, name, labels);
}

long RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

BOOST_FIXTURE_TEST_CASE(mikroscope_health_passes_and_fails_each_check, Fixture) {
  HttpCollector collector(Config("url: " + Url("/health") + "\n" + kChecks), loop, clock, logger);
  const std::string target = Url("/health");
  Labels t{{"target", target}};
  auto check = [&](const char* text) { return Labels(t).Set("check", text); };

  server.SetHealth(200, kHealthy);
  auto r = Collect(collector);
  BOOST_TEST(r.status.ok());
  BOOST_TEST(*Value(r, "opswatch_http_up", t) == 1);
  BOOST_TEST(*Value(r, "opswatch_http_status_code", t) == 200);
  BOOST_TEST(*Value(r, "opswatch_http_body_bytes", t) == double(std::string(kHealthy).size()));
  BOOST_TEST(*Value(r, "opswatch_http_duration_seconds", t) > 0);
  BOOST_TEST(*Value(r, "opswatch_http_check_ok", check("ok == true")) == 1);
  BOOST_TEST(*Value(r, "opswatch_http_check_ok", check("ingest.lastError == \"\"")) == 1);
  BOOST_TEST(*Value(r, "opswatch_http_json_value",
                    Labels(t).Set("field", "storage.logsFreeBytes")) == 5e9);
  BOOST_TEST(*Value(r, "opswatch_http_json_value", Labels(t).Set("field", "ok")) == 1);
  BOOST_TEST(!Value(r, "opswatch_http_tls_cert_expiry_timestamp_seconds", t));  // plain http

  struct Failing {
    std::string body;
    const char* failed_check;
  };
  const Failing cases[] = {
      {R"({"ok":false,"ingest":{"lastError":""},"storage":{"logsFreeBytes":5e9,"dbFreeBytes":2e9}})",
       "ok == true"},
      {R"({"ok":true,"ingest":{"lastError":"EIO"},"storage":{"logsFreeBytes":5e9,"dbFreeBytes":2e9}})",
       "ingest.lastError == \"\""},
      {R"({"ok":true,"ingest":{"lastError":""},"storage":{"logsFreeBytes":5e8,"dbFreeBytes":2e9}})",
       "storage.logsFreeBytes > 1e9"},
      {R"({"ok":true,"ingest":{"lastError":""},"storage":{"logsFreeBytes":5e9}})",
       "storage.dbFreeBytes > 1e9"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.failed_check) {
      server.SetHealth(200, c.body);
      r = Collect(collector);
      BOOST_TEST(*Value(r, "opswatch_http_up", t) == 0);
      BOOST_TEST(*Value(r, "opswatch_http_check_ok", check(c.failed_check)) == 0);
      int passed = 0;
      for (const char* text : {"ok == true", "ingest.lastError == \"\"",
                               "storage.logsFreeBytes > 1e9", "storage.dbFreeBytes > 1e9"}) {
        passed += int(*Value(r, "opswatch_http_check_ok", check(text)));
      }
      BOOST_TEST(passed == 3);  // only the one check fails
    }
  }
  server.SetHealth(503, kHealthy);  // every check passes, but the status says down
  r = Collect(collector);
  BOOST_TEST(*Value(r, "opswatch_http_up", t) == 0);
  BOOST_TEST(*Value(r, "opswatch_http_status_code", t) == 503);
  BOOST_TEST(*Value(r, "opswatch_http_check_ok", check("ok == true")) == 1);
}

BOOST_FIXTURE_TEST_CASE(error_statuses_and_invalid_json_are_down, Fixture) {
  HttpCollector collector(Config("targets: [" + Url("/status/500") + ", " + Url("/status/404") +
                                 ", " + Url("/invalid-json") + "]\nchecks: ['ok == true']\n"),
                          loop, clock, logger);
  auto r = Collect(collector);
  BOOST_TEST(r.status.ok());  // targets being down is data, not a collector failure
  for (auto [path, code] : {std::pair{"/status/500", 500}, std::pair{"/status/404", 404},
                            std::pair{"/invalid-json", 200}}) {
    Labels t{{"target", Url(path)}};
    BOOST_TEST_CONTEXT(path) {
      BOOST_TEST(*Value(r, "opswatch_http_up", t) == 0);
      BOOST_TEST(*Value(r, "opswatch_http_status_code", t) == code);
      BOOST_TEST(*Value(r, "opswatch_http_check_ok", Labels(t).Set("check", "ok == true")) == 0);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(hung_target_times_out_on_time_and_delays_nobody, Fixture) {
  HttpCollector collector(
      Config("targets: [" + Url("/hang") + ", " + Url("/health") + "]\ntimeout: 1s\n"), loop, clock,
      logger);
  auto start = steady_clock::now();
  auto r = Collect(collector, milliseconds(3000));
  double took = std::chrono::duration<double>(steady_clock::now() - start).count();
  Labels hung{{"target", Url("/hang")}};
  Labels healthy{{"target", Url("/health")}};
  BOOST_TEST(*Value(r, "opswatch_http_up", hung) == 0);
  BOOST_TEST(*Value(r, "opswatch_http_status_code", hung) == 0);
  double hung_duration = *Value(r, "opswatch_http_duration_seconds", hung);
  // The bounds are the point, and generous for a loaded two-core machine under ASan: the hang is
  // endless, so ending within 2 s shows the 1 s timeout works; the healthy target answering well
  // under 1 s shows it never waited behind the hung one.
  BOOST_TEST(hung_duration >= 0.9);  // measured by us, curl times it from its own start
  BOOST_TEST(hung_duration < 2.0);
  BOOST_TEST(took < 2.0);
  BOOST_TEST(*Value(r, "opswatch_http_up", healthy) == 1);
  BOOST_TEST(*Value(r, "opswatch_http_duration_seconds", healthy) < 0.9);
  BOOST_TEST(server.hanging_requests() >= 1);

  // The run's deadline bounds the probe even when the configured timeout is longer.
  HttpCollector slow(Config("url: " + Url("/hang") + "\ntimeout: 5s\n"), loop, clock, logger);
  start = steady_clock::now();
  r = Collect(slow, milliseconds(500));
  took = std::chrono::duration<double>(steady_clock::now() - start).count();
  BOOST_TEST(took < 2.5);  // the 500 ms deadline, not the 5 s timeout
  BOOST_TEST(*Value(r, "opswatch_http_up", hung) == 0);
}

BOOST_FIXTURE_TEST_CASE(huge_and_endless_bodies_are_capped_and_memory_stays_flat, Fixture) {
  long rss_before = RssKiB();
  for (int round = 0; round < 3; ++round) {
    for (const char* path : {"/big", "/big-unannounced", "/endless"}) {
      BOOST_TEST_CONTEXT(path) {
        auto response = Probe(Request(Url(path)));
        BOOST_TEST(!response.completed);
        BOOST_TEST(response.error == "body exceeds body_limit (1048576 bytes)");
        BOOST_TEST(response.body.empty());
      }
    }
  }
  long rss_after = RssKiB();
  BOOST_TEST_MESSAGE("RSS before " << rss_before << " KiB, after " << rss_after << " KiB");
  BOOST_TEST(rss_after - rss_before < 32 * 1024);
  // The transfers were cut off, not read to the end: 9 probes of "1 GB" streamed far less.
  BOOST_TEST(server.streamed_bytes() < uint64_t(256) << 20);

  HttpCollector collector(Config("url: " + Url("/endless") + "\nbody_limit: 64KiB\n"), loop, clock,
                          logger);
  auto r = Collect(collector);
  BOOST_TEST(*Value(r, "opswatch_http_up", {{"target", Url("/endless")}}) == 0);
}

BOOST_FIXTURE_TEST_CASE(redirects_only_to_http_and_only_when_enabled, Fixture) {
  auto request = Request(Url("/redirect-file"));
  request.max_redirects = kHttpMaxRedirects;
  auto response = Probe(request);
  BOOST_TEST(!response.completed);
  BOOST_TEST(response.error.find("file") != std::string::npos, response.error);
  BOOST_TEST(response.body.find("root:") == std::string::npos);

  request = Request(Url("/redirect-health"));
  request.max_redirects = kHttpMaxRedirects;
  response = Probe(request);
  BOOST_TEST(response.completed);
  BOOST_TEST(response.status == 200);

  response = Probe(Request(Url("/redirect-file")));  // not following: the 302 is the answer
  BOOST_TEST(response.completed);
  BOOST_TEST(response.status == 302);

  HttpCollector collector(Config("url: " + Url("/redirect-file") + "\nfollow_redirects: true\n"),
                          loop, clock, logger);
  auto r = Collect(collector);
  BOOST_TEST(*Value(r, "opswatch_http_up", {{"target", Url("/redirect-file")}}) == 0);
}

BOOST_FIXTURE_TEST_CASE(headers_from_env_reach_the_server_and_label_hides_secrets, Fixture) {
  setenv("OPSWATCH_TEST_TOKEN", "tok123", 1);
  std::string url =
      "http://user:hunter2@127.0.0.1:" + std::to_string(server.port()) + "/echo-auth?key=abc";
  HttpCollector collector(
      Config("url: '" + url +
             "'\nheaders: {Authorization: 'Bearer ${OPSWATCH_TEST_TOKEN}'}\n"
             "checks: ['authorization =~ \"^Bearer \"', 'len(authorization) == 13']\n"),
      loop, clock, logger);
  auto r = Collect(collector);
  Labels t{{"target", Url("/echo-auth")}};
  BOOST_TEST(*Value(r, "opswatch_http_up", t) == 1);
  for (const auto& family : r.families) {
    for (const auto& sample : family.samples) {
      std::string text = sample.labels.ToString();
      BOOST_TEST(text.find("hunter2") == std::string::npos);
      BOOST_TEST(text.find("tok123") == std::string::npos);
      BOOST_TEST(text.find("key=abc") == std::string::npos);
    }
  }
}

// A self-signed certificate for the name opswatch.test only (so 127.0.0.1 verifies only with
// tls.server_name), served by `openssl s_server -WWW` from a temp dir holding the file "health".
struct TlsServer {
  testing::TempDir dir;
  std::unique_ptr<testing::Process> process;
  int port = 0;
  std::optional<double> not_after;

  TlsServer() {
    auto made = testing::RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                     "-keyout", dir.Join("key.pem"), "-out", dir.Join("cert.pem"),
                                     "-days", "30", "-subj", "/CN=opswatch.test", "-addext",
                                     "subjectAltName=DNS:opswatch.test"});
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, "openssl req failed: " + made.err);
    auto end =
        testing::RunCommand({"openssl", "x509", "-enddate", "-noout", "-in", dir.Join("cert.pem")});
    BOOST_REQUIRE(end.exit_code == 0);
    std::string text = end.out.substr(end.out.find('=') + 1);
    text.erase(text.find_last_not_of("\n") + 1);
    not_after = ParseCertDate(text);
    BOOST_REQUIRE(not_after);
    dir.Write("health", kHealthy);
    process = std::make_unique<testing::Process>(std::vector<std::string>{
        "sh", "-c",
        "cd '" + dir.path().string() +
            "' && exec openssl s_server -accept 127.0.0.1:0 -cert cert.pem -key key.pem "
            "-WWW"});
    BOOST_REQUIRE_MESSAGE(process->WaitForOutput("ACCEPT", std::chrono::seconds(10)),
                          "openssl s_server did not start: " + process->Stderr());
    std::string out = process->Stdout() + process->Stderr();
    auto colon = out.find(':', out.find("ACCEPT"));
    port = std::stoi(out.substr(colon + 1));
    BOOST_REQUIRE(port > 0);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port) + "/health"; }
};

BOOST_AUTO_TEST_CASE(tls_verification_and_certificate_expiry) {
  TlsServer server;
  NullLogger logger;
  RealClock clock;
  HttpProbeLoop loop(logger);
  const std::string url = server.url();
  Labels t{{"target", url}};
  auto collect = [&](const std::string& extra) {
    ConfigErrors errors;
    OsConfigEnv env;
    YAML::Node node = YAML::Load("url: " + url + "\nchecks: ['ok == true']\n" + extra);
    MapReader reader(node, "collectors[0]", errors, env);
    auto config = ParseHttpConfig(reader, {"tls", "http", Millis(30000), Millis(5000)});
    BOOST_REQUIRE_MESSAGE(config, errors.Format("test.yml"));
    HttpCollector collector(*config, loop, clock, logger);
    return collector.Collect(RunContext{clock.SteadyNow() + milliseconds(5000)});
  };
  const std::string ca = server.dir.Join("cert.pem");

  auto r = collect("");  // self-signed: verification fails without the CA
  BOOST_TEST(*Value(r, "opswatch_http_up", t) == 0);
  r = collect("tls: {ca_file: " + ca + "}\n");  // the certificate does not name 127.0.0.1
  BOOST_TEST(*Value(r, "opswatch_http_up", t) == 0);
  r = collect("tls: {ca_file: " + ca + ", server_name: opswatch.test}\n");
  BOOST_TEST(*Value(r, "opswatch_http_up", t) == 1);
  BOOST_TEST(*Value(r, "opswatch_http_tls_cert_expiry_timestamp_seconds", t) == *server.not_after);
  r = collect("tls: {insecure_skip_verify: true}\n");
  BOOST_TEST(*Value(r, "opswatch_http_up", t) == 1);
  BOOST_TEST(*Value(r, "opswatch_http_tls_cert_expiry_timestamp_seconds", t) == *server.not_after);

  HttpProbeRequest request;
  request.url = Secret(url);
  std::promise<HttpProbeResponse> promise;
  loop.Submit(request, [&](HttpProbeResponse response) { promise.set_value(std::move(response)); });
  auto response = promise.get_future().get();
  BOOST_TEST(!response.completed);
  BOOST_TEST(response.error.find("certificate") != std::string::npos, response.error);
}

}  // namespace
}  // namespace opswatch
