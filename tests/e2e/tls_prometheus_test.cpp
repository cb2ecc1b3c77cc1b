// A real Prometheus scrapes opswatch over HTTPS with a client certificate (tls_config) and
// basic_auth, as a user would set it up from the README, and its `up` for opswatch is 1.
#define BOOST_TEST_MODULE tls_prometheus
#include <crypt.h>
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/opswatch_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

using namespace opswatch;
using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPassword = "scrape-me-please";

std::string Bcrypt(const std::string& password) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  BOOST_REQUIRE(crypt_gensalt_rn("$2y$", 10, nullptr, 0, setting, sizeof setting) != nullptr);
  auto data = std::make_unique<crypt_data>();
  return crypt_rn(password.c_str(), setting, data.get(), sizeof *data);
}

// The value of a one-sample instant query, or "" while Prometheus has none.
std::string QueryValue(const std::string& prom_url, const std::string& query) {
  HttpResponse r = HttpGet(prom_url + "/api/v1/query?query=" + query, {}, 5s);
  if (r.status != 200) return "";
  auto json = nlohmann::json::parse(r.body, nullptr, false);
  if (json.is_discarded() || json["data"]["result"].size() != 1) return "";
  return json["data"]["result"][0]["value"][1].get<std::string>();
}

BOOST_AUTO_TEST_CASE(prometheus_scrapes_over_mtls_with_basic_auth) {
  TempDir dir;
  TestPki pki = MakeTestPki(dir);
  const std::string web =
      dir.Write("web.yml",
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                "  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n"
                "basic_auth_users:\n  prometheus: '" +
                    Bcrypt(kPassword) + "'\n");
  const std::string config =
      dir.Write("opswatch.yml", "global:\n  state_dir: " + dir.Join("state") +
                                    "\ncollectors:\n  - name: tmp\n    type: disk\n"
                                    "    paths: [/tmp]\n");
  OpswatchProcess ow(config, {"--web.config.file=" + web});

  const int prom_port = FreeLoopbackPort();
  const std::string prom_config =
      dir.Write("prometheus.yml",
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n"
                "  - job_name: opswatch\n"
                "    scheme: https\n"
                "    tls_config:\n"
                "      ca_file: " +
                    pki.ca_cert + "\n      cert_file: " + pki.client_a_cert +
                    "\n      key_file: " + pki.client_a_key +
                    "\n"
                    "    basic_auth:\n"
                    "      username: prometheus\n"
                    "      password: " +
                    kPassword +
                    "\n"
                    "    static_configs: [{targets: ['127.0.0.1:" +
                    std::to_string(ow.port()) + "']}]\n");
  Process prometheus({"prometheus", "--config.file=" + prom_config,
                      "--storage.tsdb.path=" + dir.Join("tsdb"),
                      "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)});
  const std::string prom_url = "http://127.0.0.1:" + std::to_string(prom_port);

  // Waits for the first scrape's outcome: `up` appears after it, 1 or 0.
  std::string up;
  for (auto end = std::chrono::steady_clock::now() + 60s;
       up.empty() && std::chrono::steady_clock::now() < end && prometheus.Running();) {
    up = QueryValue(prom_url, "up%7Bjob%3D%22opswatch%22%7D");
    if (up.empty()) std::this_thread::sleep_for(200ms);
  }
  BOOST_TEST(up == "1", "prometheus log:\n"
                            << prometheus.Stderr() << "\nopswatch log:\n"
                            << ow.process().Stderr());
  // What it scraped is opswatch's, and no scrape was refused.
  std::string failures;
  for (auto end = std::chrono::steady_clock::now() + 30s;
       failures.empty() && std::chrono::steady_clock::now() < end;) {
    failures = QueryValue(prom_url, "opswatch_http_auth_failures_total");
    if (failures.empty()) std::this_thread::sleep_for(200ms);
  }
  BOOST_TEST(failures == "0");
  prometheus.Signal(SIGTERM);
  prometheus.Wait(10s);
}

}  // namespace
