// The http collector's check language cannot be made to recurse without bound: checks deeper than
// kMaxCheckDepth are refused at load with their column, everything at the limit runs on a 1 MiB
// thread stack, and deeply nested JSON bodies are parsed, read and dropped without recursion.
#define BOOST_TEST_MODULE http_check_depth
#include <boost/test/unit_test.hpp>
#include <string>

#include "collectors/check_expr.hpp"
#include "tests/support/small_stack.hpp"

namespace opswatch {
namespace {

using opswatch::testing::RunOnSmallStack;

std::string Repeat(std::string_view piece, int n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

// Each builder returns a check that is exactly `depth` levels deep.
std::string Parens(int depth) { return Repeat("(", depth) + "ok" + Repeat(")", depth); }
std::string Nots(int depth) { return Repeat("!", depth - 1) + "ok"; }
std::string Lens(int depth) {
  return Repeat("len(", depth - 2) + "s" + Repeat(")", depth - 2) + " >= 0";
}
std::string AndChain(int depth) { return "ok" + Repeat(" && ok", depth - 1); }
std::string OrChain(int depth) { return "s == \"x\"" + Repeat(" || ok", depth - 2); }

struct Shape {
  const char* name;
  std::string (*build)(int depth);
};
const Shape kShapes[] = {{"parentheses", Parens},
                         {"not", Nots},
                         {"len", Lens},
                         {"&& chain", AndChain},
                         {"|| chain", OrChain}};

struct Input {
  nlohmann::json doc = nlohmann::json::parse(R"({"ok": true, "s": "abc"})");
  CheckInput input;
  Input() {
    input.status = 200;
    input.body = R"({"ok": true, "s": "abc"})";
    input.json = &doc;
  }
};

BOOST_AUTO_TEST_CASE(checks_at_the_limit_parse_and_evaluate_on_a_small_stack) {
  Input in;
  for (const auto& shape : kShapes) {
    BOOST_TEST_CONTEXT(shape.name) {
      const std::string text = shape.build(kMaxCheckDepth);
      RunOnSmallStack([&] {
        auto check = ParseCheck(text, nullptr);
        BOOST_REQUIRE_MESSAGE(check.ok(), (check.ok() ? "" : check.error()));
        auto passed = check->Evaluate(in.input);
        // len(len(x)) is a run-time type error; every other shape evaluates to a boolean.
        if (std::string(shape.name) != "len") BOOST_TEST(passed.ok());
      });
    }
  }
}

BOOST_AUTO_TEST_CASE(one_level_more_is_refused_with_its_column) {
  for (const auto& shape : kShapes) {
    BOOST_TEST_CONTEXT(shape.name) {
      CheckParseError error;
      auto check = ParseCheck(shape.build(kMaxCheckDepth + 1), &error);
      BOOST_REQUIRE(!check.ok());
      BOOST_TEST(error.message.find("check nests deeper than " + std::to_string(kMaxCheckDepth) +
                                    " levels") == 0u,
                 error.message);
      BOOST_TEST(check.error().rfind("column " + std::to_string(error.offset + 1) + ": ", 0) == 0u);
    }
  }
  CheckParseError error;
  BOOST_TEST(!ParseCheck(Parens(kMaxCheckDepth + 10), &error).ok());
  BOOST_TEST(error.offset == size_t(kMaxCheckDepth));  // the first "(" past the limit
}

BOOST_AUTO_TEST_CASE(hostile_checks_fail_cleanly_on_a_small_stack) {
  const std::string inputs[] = {Parens(100000), Nots(100000), Lens(50000), AndChain(200000),
                                OrChain(200000)};
  for (const auto& text : inputs) {
    RunOnSmallStack([&] { BOOST_TEST(!ParseCheck(text, nullptr).ok()); });
  }
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_bodies_are_handled_without_recursion) {
  // A target answering with a million nested arrays (within the default 1 MiB body_limit... twice).
  const std::string body = Repeat("[", 1000000) + Repeat("]", 1000000);
  RunOnSmallStack([&] {
    auto check = ParseCheck("exists($[0][0][0]) && len($) == 1", nullptr);
    BOOST_REQUIRE(check.ok());
    nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    BOOST_TEST(!doc.is_discarded());
    CheckInput input;
    input.body = body;
    input.json = &doc;
    auto passed = check->Evaluate(input);
    BOOST_TEST((passed.ok() && *passed));
  });  // `doc` is destroyed on the small stack too
  RunOnSmallStack([] {
    auto path = ParseJsonPath("a" + Repeat(".b", 100000));
    BOOST_REQUIRE(path.ok());
    BOOST_TEST(path->segments.size() == 100001u);
  });
}

}  // namespace
}  // namespace opswatch
