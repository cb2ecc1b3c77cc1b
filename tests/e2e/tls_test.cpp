// The real binary with --web.config.file, against curl and openssl s_client: TLS versions, client
// certificates from the right and the wrong CA, basic auth, plain HTTP on the TLS port, many
// concurrent HTTPS scrapes, certificate rotation without a restart, a broken web config on start
// and on change, and the lifecycle rules of /-/reload.
#define BOOST_TEST_MODULE tls
#include <arpa/inet.h>
#include <crypt.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "core/unique_fd.hpp"
#include "tests/support/opswatch_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

using namespace opswatch;
using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPassword = "correct horse battery staple";

std::string Bcrypt(const std::string& password) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  BOOST_REQUIRE(crypt_gensalt_rn("$2y$", 6, nullptr, 0, setting, sizeof setting) != nullptr);
  auto data = std::make_unique<crypt_data>();
  return crypt_rn(password.c_str(), setting, data.get(), sizeof *data);
}

std::string OpswatchConfig(const TempDir& dir) {
  return dir.Write("opswatch.yml", "global:\n  state_dir: " + dir.Join("state") +
                                       "\ncollectors:\n  - name: tmp\n    type: disk\n"
                                       "    paths: [/tmp]\n");
}

struct CurlResult {
  int exit_code = -1;
  long status = 0;  // 0: no HTTP answer
  std::string body;
  std::string head;
};

// curl against https://127.0.0.1:port/path trusting the test CA, plus `args`.
CurlResult Curl(int port, const std::string& path, const TestPki& pki,
                const std::vector<std::string>& args = {}) {
  std::vector<std::string> argv = {"curl",      "-sS", "--max-time",  "10", "--cacert",
                                   pki.ca_cert, "-D",  "/dev/stderr", "-w", "\n%{http_code}"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("https://127.0.0.1:" + std::to_string(port) + path);
  CommandResult run = RunCommand(argv, 20s);
  CurlResult result;
  result.exit_code = run.exit_code;
  result.head = run.err;
  auto newline = run.out.rfind('\n');
  if (newline != std::string::npos) {
    result.status = std::atol(run.out.c_str() + newline + 1);
    result.body = run.out.substr(0, newline);
  }
  return result;
}

std::vector<std::string> Auth(const std::string& user, const std::string& password) {
  return {"-u", user + ":" + password};
}

std::string WebConfig(const TestPki& pki, const std::string& hash, const std::string& extra = "") {
  return "tls_server_config:\n  cert_file: " + pki.server_cert + "\n  key_file: " + pki.server_key +
         "\n" + extra + "basic_auth_users:\n  prometheus: '" + hash +
         "'\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n"
         "    X-Content-Type-Options: nosniff\n";
}

// Polls until `done` or `timeout`; events here are seen through the files and the network.
template <typename Done>
bool WaitUntil(Done done, std::chrono::milliseconds timeout) {
  for (auto end = std::chrono::steady_clock::now() + timeout;
       std::chrono::steady_clock::now() < end;) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

struct Fixture {
  TempDir dir;
  TestPki pki = MakeTestPki(dir);
  std::string hash = Bcrypt(kPassword);
};

BOOST_FIXTURE_TEST_CASE(tls_versions_basic_auth_headers_and_reload_rules, Fixture) {
  std::string web = dir.Write("web.yml", WebConfig(pki, hash));
  OpswatchProcess ow(OpswatchConfig(dir), {"--web.config.file=" + web});
  const int port = ow.port();
  BOOST_TEST(ow.process().Stderr().find("tls=true") != std::string::npos);
  const auto good = Auth("prometheus", kPassword);

  // TLS 1.2 and 1.3 are served; 1.1 is refused by the server (the client is told to allow it).
  for (const char* version : {"1.2", "1.3"}) {
    BOOST_TEST_CONTEXT("TLS " << version) {
      auto args = good;
      args.insert(args.end(), {std::string("--tlsv") + version, "--tls-max", version});
      CurlResult r = Curl(port, "/metrics", pki, args);
      BOOST_TEST(r.status == 200, r.head);
      BOOST_TEST(r.body.find("opswatch_build_info") != std::string::npos);
    }
  }
  for (const char* flag : {"-tls1_2", "-tls1_3"}) {
    CommandResult s =
        RunShell(std::string("openssl s_client -connect 127.0.0.1:") + std::to_string(port) + " " +
                     flag + " -CAfile " + pki.ca_cert + " </dev/null 2>&1",
                 20s);
    BOOST_TEST(s.exit_code == 0, flag << ": " << s.out);
    BOOST_TEST(s.out.find("Verify return code: 0 (ok)") != std::string::npos, s.out);
  }
  CommandResult old = RunShell("openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                                   " -tls1_1 -cipher DEFAULT@SECLEVEL=0 </dev/null 2>&1",
                               20s);
  BOOST_TEST(old.exit_code != 0, old.out);
  BOOST_TEST(old.out.find("alert protocol version") != std::string::npos, old.out);

  // Basic auth: right, wrong password, unknown user, no header, a header that is not Basic.
  CurlResult right = Curl(port, "/metrics", pki, good);
  BOOST_TEST(right.status == 200);
  BOOST_TEST(right.head.find("X-Frame-Options: deny") != std::string::npos, right.head);
  BOOST_TEST(right.head.find("X-Content-Type-Options: nosniff") != std::string::npos);
  CurlResult wrong = Curl(port, "/metrics", pki, Auth("prometheus", "not-the-password-42"));
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(wrong.head.find("WWW-Authenticate: Basic") != std::string::npos, wrong.head);
  BOOST_TEST(wrong.head.find("X-Frame-Options: deny") != std::string::npos);
  BOOST_TEST(Curl(port, "/metrics", pki, Auth("mallory", kPassword)).status == 401);
  BOOST_TEST(Curl(port, "/health", pki).status == 401);
  BOOST_TEST(Curl(port, "/", pki, {"-H", "Authorization: Basic %%%not-base64"}).status == 401);
  BOOST_TEST(Curl(port, "/api/v1/alerts", pki, {"-H", "Authorization: Bearer x"}).status == 401);
  // Probes stay open.
  BOOST_TEST(Curl(port, "/-/healthy", pki).status == 200);
  BOOST_TEST(Curl(port, "/-/ready", pki).status != 401);
  // Failed logins are counted (the probes above did not need any).
  CurlResult metrics = Curl(port, "/metrics", pki, good);
  BOOST_TEST(MetricValue(metrics.body, "opswatch_http_auth_failures_total") == 5);

  // /-/reload: 405 for GET, 401 without credentials, 403 without --web.enable-lifecycle.
  BOOST_TEST(Curl(port, "/-/reload", pki, good).status == 405);
  BOOST_TEST(Curl(port, "/-/reload", pki, {"-X", "POST"}).status == 401);
  auto post = good;
  post.insert(post.end(), {"-X", "POST"});
  CurlResult refused = Curl(port, "/-/reload", pki, post);
  BOOST_TEST(refused.status == 403);
  BOOST_TEST(refused.body.find("--web.enable-lifecycle") != std::string::npos);

  // Failed logins are logged, without what was tried.
  std::string log = ow.process().Stderr();
  BOOST_TEST(log.find("failed HTTP login") != std::string::npos);
  BOOST_TEST(log.find(kPassword) == std::string::npos);
  BOOST_TEST(log.find("not-the-password-42") == std::string::npos);
  BOOST_TEST(log.find(hash.substr(7)) == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(lifecycle_flag_allows_reload_for_a_valid_user, Fixture) {
  std::string web = dir.Write("web.yml", WebConfig(pki, hash));
  OpswatchProcess ow(OpswatchConfig(dir), {"--web.config.file=" + web, "--web.enable-lifecycle"});
  auto post = Auth("prometheus", kPassword);
  post.insert(post.end(), {"-X", "POST"});
  BOOST_TEST(Curl(ow.port(), "/-/reload", pki, post).status == 200);
  BOOST_TEST(Curl(ow.port(), "/-/reload", pki, {"-X", "POST"}).status == 401);
}

BOOST_FIXTURE_TEST_CASE(client_certificates_from_the_configured_ca_only, Fixture) {
  std::string web =
      dir.Write("web.yml", WebConfig(pki, hash,
                                     "  client_ca_file: " + pki.ca_cert +
                                         "\n  client_auth_type: RequireAndVerifyClientCert\n"));
  OpswatchProcess ow(OpswatchConfig(dir), {"--web.config.file=" + web});
  const auto good = Auth("prometheus", kPassword);
  for (const char* version : {"1.2", "1.3"}) {
    BOOST_TEST_CONTEXT("TLS " << version) {
      auto base = good;
      base.insert(base.end(), {std::string("--tlsv") + version, "--tls-max", version});
      CurlResult none = Curl(ow.port(), "/metrics", pki, base);
      BOOST_TEST(none.status == 0, none.head);
      BOOST_TEST(none.exit_code != 0);
      auto other = base;
      other.insert(other.end(), {"--cert", pki.client_b_cert, "--key", pki.client_b_key});
      CurlResult intruder = Curl(ow.port(), "/metrics", pki, other);
      BOOST_TEST(intruder.status == 0, intruder.head);
      BOOST_TEST(intruder.exit_code != 0);
      auto right = base;
      right.insert(right.end(), {"--cert", pki.client_a_cert, "--key", pki.client_a_key});
      BOOST_TEST(Curl(ow.port(), "/metrics", pki, right).status == 200);
    }
  }
  // The server names the CA it accepts, so clients with several certificates can choose.
  CommandResult s = RunShell("openssl s_client -connect 127.0.0.1:" + std::to_string(ow.port()) +
                                 " -tls1_2 </dev/null 2>&1",
                             20s);
  BOOST_TEST(s.out.find("Acceptable client certificate CA names\nCN = ca") != std::string::npos,
             s.out);
}

BOOST_FIXTURE_TEST_CASE(plain_http_on_the_tls_port_is_refused_and_the_server_lives, Fixture) {
  std::string web = dir.Write("web.yml", WebConfig(pki, hash));
  OpswatchProcess ow(OpswatchConfig(dir), {"--web.config.file=" + web});
  for (int i = 0; i < 20; ++i) {
    CommandResult plain = RunCommand({"curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w",
                                      "%{http_code}", ow.Url("/metrics")},
                                     10s);
    BOOST_TEST(plain.out == "000");
    // And raw bytes that are neither TLS nor HTTP.
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(ow.port()));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    BOOST_REQUIRE(connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    const char garbage[] = "\x16\x03\x01\xff\xff garbage\r\n\r\n";
    BOOST_TEST(write(fd.get(), garbage, sizeof garbage) > 0);
  }
  BOOST_TEST(ow.process().Running());
  BOOST_TEST(Curl(ow.port(), "/metrics", pki, Auth("prometheus", kPassword)).status == 200);
}

// Each request on a new connection (Connection: close), so each is a full handshake with a
// client certificate and basic auth; four client addresses with a dozen transfers at a time each
// (one address may hold 16 connections).
BOOST_FIXTURE_TEST_CASE(a_thousand_concurrent_https_scrapes, Fixture) {
  std::string web =
      dir.Write("web.yml", WebConfig(pki, hash,
                                     "  client_ca_file: " + pki.ca_cert +
                                         "\n  client_auth_type: RequireAndVerifyClientCert\n"));
  OpswatchProcess ow(OpswatchConfig(dir), {"--web.config.file=" + web});
  const std::string url = "https://127.0.0.1:" + std::to_string(ow.port()) + "/metrics";
  constexpr int kClients = 4;
  constexpr int kScrapesPerClient = 250;
  std::vector<CommandResult> results(kClients);
  std::vector<std::thread> clients;
  auto started = std::chrono::steady_clock::now();
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      std::vector<std::string> argv = {"curl",
                                       "-sS",
                                       "--parallel",
                                       "--parallel-max",
                                       "12",
                                       "--interface",
                                       "127.0.0." + std::to_string(c + 1),
                                       "--max-time",
                                       "120",
                                       "--cacert",
                                       pki.ca_cert,
                                       "--cert",
                                       pki.client_a_cert,
                                       "--key",
                                       pki.client_a_key,
                                       "-u",
                                       std::string("prometheus:") + kPassword,
                                       "-H",
                                       "Connection: close",
                                       "-w",
                                       "%{http_code}\n"};
      for (int i = 0; i < kScrapesPerClient; ++i) argv.insert(argv.end(), {url, "-o", "/dev/null"});
      results[c] = RunCommand(argv, 300s);
    });
  }
  for (auto& t : clients) t.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  size_t ok = 0;
  for (const CommandResult& run : results) {
    for (size_t at = run.out.find("200\n"); at != std::string::npos;
         at = run.out.find("200\n", at + 1)) {
      ++ok;
    }
    BOOST_TEST(run.exit_code == 0, run.err.substr(0, 2000));
  }
  BOOST_TEST_MESSAGE(kClients * kScrapesPerClient
                     << " HTTPS scrapes (new connection each, mTLS + basic auth) in " << seconds
                     << " s");
  BOOST_TEST(ok == size_t{kClients * kScrapesPerClient});
  BOOST_TEST(ow.process().Running());
  BOOST_TEST(
      Curl(ow.port(), "/-/healthy", pki, {"--cert", pki.client_a_cert, "--key", pki.client_a_key})
          .status == 200);
}

BOOST_FIXTURE_TEST_CASE(rotated_certificates_are_served_without_restart, Fixture) {
  std::string web = dir.Write("web.yml", WebConfig(pki, hash));
  OpswatchProcess ow(OpswatchConfig(dir), {"--web.config.file=" + web});
  const std::string before = ServedCertificateFingerprint(ow.port(), pki);
  BOOST_REQUIRE(before == CertificateFingerprint(pki.server_cert));

  // Rotated the way cert-manager and kubelet do it: new files renamed over the old ones.
  MakeServerCertificate(dir, dir.Join("next.crt"), dir.Join("next.key"));
  const std::string next = CertificateFingerprint(dir.Join("next.crt"));
  BOOST_REQUIRE(!next.empty() && next != before);
  std::filesystem::rename(dir.Join("next.key"), pki.server_key);
  std::filesystem::rename(dir.Join("next.crt"), pki.server_cert);
  BOOST_TEST(WaitUntil([&] { return ServedCertificateFingerprint(ow.port(), pki) == next; }, 20s),
             ow.process().Stderr());
  BOOST_TEST(ow.process().Stderr().find("web config reloaded") != std::string::npos);

  // A broken edit keeps the running config and says so in the log and on /health.
  dir.Write("web.yml", WebConfig(pki, hash) + "bogus_key: 1\n");
  BOOST_TEST(WaitUntil(
      [&] { return ow.process().Stderr().find("web config not reloaded") != std::string::npos; },
      20s));
  CurlResult health = Curl(ow.port(), "/health", pki, Auth("prometheus", kPassword));
  BOOST_TEST(health.status == 503);
  BOOST_TEST(health.body.find("\"webConfig\":{\"ok\":false") != std::string::npos, health.body);
  BOOST_TEST(health.body.find("web.yml:10:1: top level: unknown key \\\"bogus_key\\\"") !=
                 std::string::npos,
             health.body);
  BOOST_TEST(health.body.find(hash) == std::string::npos);
  BOOST_TEST(ServedCertificateFingerprint(ow.port(), pki) == next);

  // Fixed again: recovered, also for /health.
  dir.Write("web.yml", WebConfig(pki, hash));
  BOOST_TEST(WaitUntil(
      [&] {
        CurlResult h = Curl(ow.port(), "/health", pki, Auth("prometheus", kPassword));
        return h.body.find("\"webConfig\":{\"ok\":true") != std::string::npos;
      },
      20s));
}

BOOST_FIXTURE_TEST_CASE(bad_web_config_at_start_exits_1_with_its_position, Fixture) {
  const std::string config = OpswatchConfig(dir);
  struct Row {
    std::string web;
    std::string error;
  };
  const std::vector<Row> rows = {
      {"tls_server_config:\n  cert_file: " + pki.server_cert + "\n  key_file: " + pki.server_key +
           "\n  client_auth: x\n",
       "web.yml:4:3: tls_server_config: unknown key \"client_auth\""},
      {"tls_server_config:\n  cert_file: /nonexistent/server.crt\n  key_file: " + pki.server_key +
           "\n",
       "web.yml:2:14: tls_server_config.cert_file: cannot read: "},
      {"tls_server_config:\n  cert_file: " + pki.server_cert + "\n  key_file: " + pki.client_a_key +
           "\n",
       "web.yml:3:13: tls_server_config.key_file: the private key does not belong to "
       "cert_file's certificate"},
      {"tls_server_config:\n  cert_file: " + pki.server_key + "\n  key_file: " + pki.server_key +
           "\n",
       "web.yml:2:14: tls_server_config.cert_file: no usable PEM certificate"},
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT(row.web) {
      std::string web = dir.Write("web.yml", row.web);
      CommandResult run =
          RunCommand({OPSWATCH_BINARY, "--config.file=" + config,
                      "--web.listen-address=127.0.0.1:0", "--web.config.file=" + web},
                     30s);
      BOOST_TEST(run.exit_code == 1);
      BOOST_TEST(run.err.find(dir.Join(row.error)) != std::string::npos, run.err);
      BOOST_TEST(run.err.find("PRIVATE KEY") == std::string::npos);
      // --config.check finds the same.
      CommandResult check = RunCommand({OPSWATCH_BINARY, "--config.file=" + config,
                                        "--web.config.file=" + web, "--config.check"},
                                       30s);
      BOOST_TEST(check.exit_code == 1);
      BOOST_TEST(check.err.find(dir.Join(row.error)) != std::string::npos, check.err);
    }
  }
}

}  // namespace
