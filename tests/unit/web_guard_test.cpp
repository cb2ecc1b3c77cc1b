// The web config's rules per request: which paths need credentials, the configured headers on
// every reply (401s too), the failure counter, and a log that a password guesser cannot flood.
#define BOOST_TEST_MODULE web_guard
#include "exporter/web_guard.hpp"

#include <crypt.h>

#include <boost/test/unit_test.hpp>
#include <memory>
#include <vector>

#include "core/fake_clock.hpp"

namespace opswatch {
namespace {

class CapturingLogger final : public Logger {
 public:
  bool Enabled(LogLevel) const override { return true; }
  void Log(LogLevel, std::string_view message, std::initializer_list<LogField> fields) override {
    std::string line(message);
    for (const auto& f : fields) line += " " + f.key + "=" + f.value;
    lines.push_back(line);
  }
  std::vector<std::string> lines;
};

std::string Bcrypt(const std::string& password) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  BOOST_REQUIRE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, setting, sizeof setting) != nullptr);
  auto data = std::make_unique<crypt_data>();
  return crypt_rn(password.c_str(), setting, data.get(), sizeof *data);
}

HttpRequest Request(const std::string& path, const std::string& authorization = "") {
  HttpRequest request;
  request.method = "GET";
  request.path = path;
  request.remote_address = "192.0.2.7";
  if (!authorization.empty()) request.headers["authorization"] = authorization;
  return request;
}

const HttpHandler kOk = [](const HttpRequest&) { return HttpReply::Text(200, "ok\n"); };
constexpr const char* kAliceSecret = "Basic YWxpY2U6c2VjcmV0";  // alice:secret
constexpr const char* kAliceWrong = "Basic YWxpY2U6d3Jvbmc=";   // alice:wrong

struct Fixture {
  FakeClock clock;
  CapturingLogger logger;
  WebGuard guard{{"/-/healthy", "/-/ready"}, clock, logger};
  Fixture() {
    WebConfig config;
    config.users["alice"] = Secret(Bcrypt("secret"));
    config.headers = {{"X-Frame-Options", "deny"}};
    guard.Apply(config);
  }
};

BOOST_FIXTURE_TEST_CASE(everything_but_the_probes_needs_credentials, Fixture) {
  for (const char* path : {"/metrics", "/health", "/", "/-/reload", "/api/v1/alerts", "/nope"}) {
    BOOST_TEST_CONTEXT(path) {
      HttpReply refused = guard.Handle(Request(path), kOk);
      BOOST_TEST(refused.status == 401);
      BOOST_TEST(guard.Handle(Request(path, kAliceSecret), kOk).status == 200);
    }
  }
  for (const char* path : {"/-/healthy", "/-/ready"}) {
    BOOST_TEST_CONTEXT(path) { BOOST_TEST(guard.Handle(Request(path), kOk).status == 200); }
  }
}

BOOST_FIXTURE_TEST_CASE(headers_go_on_every_reply, Fixture) {
  using Headers = std::vector<std::pair<std::string, std::string>>;
  HttpReply refused = guard.Handle(Request("/metrics"), kOk);
  BOOST_TEST((refused.headers ==
              Headers{{"WWW-Authenticate", "Basic realm=\"opswatch\", charset=\"UTF-8\""},
                      {"X-Frame-Options", "deny"}}));
  HttpReply served = guard.Handle(Request("/-/healthy"), kOk);
  BOOST_TEST((served.headers == Headers{{"X-Frame-Options", "deny"}}));
}

BOOST_FIXTURE_TEST_CASE(failures_are_counted_and_logged_at_a_bounded_rate, Fixture) {
  for (int i = 0; i < 50; ++i) guard.Handle(Request("/metrics", kAliceWrong), kOk);
  guard.Handle(Request("/metrics"), kOk);
  guard.Handle(Request("/metrics", "Basic %%%"), kOk);
  BOOST_TEST(guard.auth_failures() == 52u);
  BOOST_TEST(logger.lines.size() == 1u);
  BOOST_TEST(logger.lines[0] ==
             "failed HTTP login remote=192.0.2.7 path=/metrics reason=unknown user or wrong "
             "password failures_not_logged_since_last=0");
  clock.Advance(WebGuard::kFailureLogInterval);
  guard.Handle(Request("/metrics"), kOk);
  BOOST_TEST(logger.lines.size() == 2u);
  BOOST_TEST(logger.lines[1] ==
             "failed HTTP login remote=192.0.2.7 path=/metrics reason=no credentials "
             "failures_not_logged_since_last=51");
  // Nothing about the credentials themselves.
  for (const auto& line : logger.lines) BOOST_TEST(line.find("alice") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(without_users_everything_is_open) {
  FakeClock clock;
  CapturingLogger logger;
  WebGuard guard({"/-/healthy"}, clock, logger);
  guard.Apply(WebConfig{});
  BOOST_TEST(guard.Handle(Request("/metrics"), kOk).status == 200);
  BOOST_TEST(guard.auth_failures() == 0u);
}

}  // namespace
}  // namespace opswatch
