#define BOOST_TEST_MODULE http_check_expr
#include <boost/test/unit_test.hpp>

#include "collectors/check_expr.hpp"

namespace opswatch {
namespace {

// The shape of MikroScope's /health.
const char* kHealthy =
    R"({"ok":true,"ingest":{"lastError":""},"storage":{"logsFreeBytes":5e9,"dbFreeBytes":2e9,)"
    R"("disks":[{"free":10},{"free":0}]},"status":"UP","version":"1.4.2","tags":["a","b"],)"
    R"("odd-key":{"x":1},"nothing":null})";

struct Fixture {
  nlohmann::json doc = nlohmann::json::parse(kHealthy);
  CheckInput input;
  Fixture() {
    input.status = 200;
    input.duration_seconds = 0.25;
    input.body = kHealthy;
    input.json = &doc;
  }
  Result<bool> Eval(const std::string& text) {
    auto check = ParseCheck(text, nullptr);
    BOOST_REQUIRE_MESSAGE(check.ok(), text + ": " + (check.ok() ? "" : check.error()));
    return check->Evaluate(input);
  }
  bool Passes(const std::string& text) {
    auto r = Eval(text);
    BOOST_REQUIRE_MESSAGE(r.ok(), text + ": " + (r.ok() ? "" : r.error()));
    return *r;
  }
};

BOOST_FIXTURE_TEST_CASE(mikroscope_checks_pass_on_a_healthy_body, Fixture) {
  BOOST_TEST(Passes("ok == true"));
  BOOST_TEST(Passes("ok"));
  BOOST_TEST(Passes(R"(ingest.lastError == "")"));
  BOOST_TEST(Passes("storage.logsFreeBytes > 1e9"));
  BOOST_TEST(Passes("storage.dbFreeBytes >= 2000000000 && storage.logsFreeBytes > 1e9"));
  BOOST_TEST(Passes("storage.disks[0].free == 10"));
  BOOST_TEST(Passes("len(storage.disks) == 2 && len(tags) == 2 && len(version) == 5"));
  BOOST_TEST(Passes("exists(ingest.lastError) && !exists(ingest.missing)"));
  BOOST_TEST(Passes(R"($.status == "UP")"));
  BOOST_TEST(Passes(R"($["odd-key"].x == 1)"));
  BOOST_TEST(Passes("nothing == null"));
  BOOST_TEST(Passes("status == 200 && duration_seconds < 0.5"));
  BOOST_TEST(Passes(R"(body =~ "\"lastError\":\"\"")"));
  BOOST_TEST(Passes(R"(version =~ "^1\.4\.")"));
  BOOST_TEST(Passes(R"(body !~ "panic")"));
  BOOST_TEST(Passes(R"(version > "1.3" && version < "1.5")"));
  BOOST_TEST(Passes("-1 < storage.disks[1].free"));
  BOOST_TEST(Passes("(ok == false || status == 200) && !(status >= 500)"));
  BOOST_TEST(Passes(R"(version != 1)"));  // different kinds are unequal
}

BOOST_FIXTURE_TEST_CASE(mikroscope_checks_fail_on_an_unhealthy_body, Fixture) {
  nlohmann::json bad = nlohmann::json::parse(
      R"({"ok":false,"ingest":{"lastError":"disk full"},"storage":{"logsFreeBytes":5e8}})");
  input.json = &bad;
  BOOST_TEST(!Passes("ok == true"));
  BOOST_TEST(!Passes(R"(ingest.lastError == "")"));
  BOOST_TEST(!Passes("storage.logsFreeBytes > 1e9"));
  BOOST_TEST(Passes("!exists(storage.dbFreeBytes)"));
  // A missing field makes the check fail with a reason, not pass and not crash.
  auto missing = Eval("storage.dbFreeBytes > 1e9");
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.error() == "storage.dbFreeBytes is missing");
}

BOOST_FIXTURE_TEST_CASE(type_errors_and_invalid_json_are_reasons, Fixture) {
  auto r = Eval(R"(version > 3)");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error() == "cannot order a string and a number");
  r = Eval("storage.logsFreeBytes");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error() == "expected a boolean, got a number");
  r = Eval("len(ok) > 0");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error() == "len() of a boolean");
  input.json = nullptr;
  r = Eval("ok == true");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error() == "body is not valid JSON");
  BOOST_TEST(!Passes("exists(ok)"));
  BOOST_TEST(Passes("status == 200"));  // non-JSON checks still work
}

BOOST_FIXTURE_TEST_CASE(short_circuit_skips_the_missing_side, Fixture) {
  BOOST_TEST(Passes("!exists(nope) || nope > 1"));
  BOOST_TEST(!Passes("exists(nope) && nope > 1"));
}

BOOST_AUTO_TEST_CASE(uses_json_only_when_a_path_is_read) {
  BOOST_TEST(!ParseCheck("status == 200 && body =~ \"ok\"", nullptr)->uses_json());
  BOOST_TEST(ParseCheck("status == 200 && exists(ok)", nullptr)->uses_json());
}

BOOST_AUTO_TEST_CASE(parse_errors_are_positioned) {
  struct Case {
    std::string text;
    size_t offset;
    std::string message;
  };
  const Case cases[] = {
      {"ok = true", 3, "unexpected character '='"},
      {"ok == ", 6, "expected a value, path or \"(\", got end of check"},
      {"ok == true true", 11, "expected an operator or end of check, got \"true\""},
      {"(ok == true", 11, "expected \")\", got end of check"},
      {"storage.disks[x] > 1", 14, "expected an array index or a quoted key, got \"x\""},
      {"body =~ \"(\"", 8, "invalid regular expression: missing ): ("},
      {"body =~ ok", 8, "expected a quoted regular expression, got \"ok\""},
      {"exists(1)", 7, "expected a JSON path, got \"1\""},
      {"name == \"abc", 8, "unterminated string"},
      {"", 0, "empty check"},
      {"storage.[0]", 8, "expected a field name after \".\", got \"[\""},
  };
  for (const auto& c : cases) {
    CheckParseError error;
    auto parsed = ParseCheck(c.text, &error);
    BOOST_TEST_CONTEXT(c.text) {
      BOOST_REQUIRE(!parsed.ok());
      BOOST_TEST(error.offset == c.offset);
      BOOST_TEST(error.message == c.message);
      BOOST_TEST(parsed.error() == "column " + std::to_string(c.offset + 1) + ": " + c.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(json_paths_for_export) {
  auto path = ParseJsonPath("storage.disks[1].free", nullptr);
  BOOST_REQUIRE(path.ok());
  nlohmann::json doc = nlohmann::json::parse(kHealthy);
  const nlohmann::json* node = LookupJsonPath(doc, *path);
  BOOST_REQUIRE(node != nullptr);
  BOOST_TEST(node->get<double>() == 0);
  BOOST_TEST(!ParseJsonPath("ok == true", nullptr).ok());
  BOOST_TEST(!ParseJsonPath("1", nullptr).ok());
  BOOST_TEST(LookupJsonPath(doc, *ParseJsonPath("storage.disks[5]", nullptr)) == nullptr);
  BOOST_TEST(LookupJsonPath(doc, *ParseJsonPath("ok.deeper", nullptr)) == nullptr);
}

}  // namespace
}  // namespace opswatch
