// Input cannot make PromQL parsing, evaluation, printing or tree destruction recurse without
// bound: trees deeper than kMaxExprDepth are refused with a positioned error, and everything at
// the limit runs on a 1 MiB thread stack (the ASan build is the one that measures it).
#define BOOST_TEST_MODULE promql_depth
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>

#include "rules/promql/promql_ast.hpp"
#include "rules/promql/promql_eval.hpp"
#include "tests/support/small_stack.hpp"

namespace opswatch::promql {
namespace {

using opswatch::testing::RunOnSmallStack;
using std::chrono::seconds;

const SystemTime kNow = SystemTime(seconds(1700000300));

std::string Repeat(std::string_view piece, int n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

// Each builder returns an expression whose tree is exactly `depth` levels deep.
std::string NestedParens(int depth) {  // ( ... (vector(1)) ... ): parens + call + number
  return Repeat("(", depth - 2) + "vector(1)" + Repeat(")", depth - 2);
}
std::string NestedCalls(int depth) {  // abs(abs(...abs(up)...))
  return Repeat("abs(", depth - 1) + "up" + Repeat(")", depth - 1);
}
std::string NestedAggregations(int depth) {
  return Repeat("sum(", depth - 1) + "up" + Repeat(")", depth - 1);
}
std::string UnaryMinus(int depth) { return Repeat("-", depth - 1) + "up"; }
std::string PlusChain(int depth) {  // up + up + ... : depth - 1 operators
  return "up" + Repeat(" + up", depth - 1);
}
std::string OrChain(int depth) {  // vector(1) or ... : operators + call + number
  return "vector(1)" + Repeat(" or vector(1)", depth - 2);
}
std::string PowChain(int depth) {  // 2 ^ 2 ^ ... is right-deep
  return "up" + Repeat(" ^ 2", depth - 1);
}
std::string RangeInside(int depth) {  // max_over_time deep inside: MaxRange walks it all
  return Repeat("abs(", depth - 2) + "max_over_time(up[10m])" + Repeat(")", depth - 2);
}

struct Shape {
  const char* name;
  std::string (*build)(int depth);
};
const Shape kShapes[] = {
    {"parentheses", NestedParens},
    {"calls", NestedCalls},
    {"aggregations", NestedAggregations},
    {"unary minus", UnaryMinus},
    {"+ chain", PlusChain},
    {"or chain", OrChain},
    {"^ chain", PowChain},
    {"range inside", RangeInside},
};

struct History {
  History() : history(std::chrono::hours(1)) {
    for (int round = 0; round <= 20; ++round) {
      history.Append(SystemTime(seconds(1700000000 + 15 * round)),
                     {{"up", Labels{{"job", "api"}}, 1.0}});
    }
  }
  SeriesHistory history;
};

// Parses, evaluates, prints, re-parses the printout and drops both trees.
void Exercise(const std::string& text, const SeriesHistory& history) {
  auto parsed = Parse(text);
  BOOST_REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
  BOOST_TEST((*parsed)->depth <= kMaxExprDepth);
  auto value = Evaluate(**parsed, history, kNow);
  BOOST_TEST(value.ok(), (value.ok() ? "" : value.error()));
  const std::string printed = Format(**parsed);
  auto reparsed = Parse(printed);
  BOOST_TEST(reparsed.ok(), (reparsed.ok() ? "" : reparsed.error()));
  BOOST_TEST(MaxRange(**parsed).count() >= 0);  // walks the whole tree
}

BOOST_AUTO_TEST_CASE(expressions_at_the_limit_run_on_a_small_stack) {
  History h;
  for (const auto& shape : kShapes) {
    BOOST_TEST_CONTEXT(shape.name) {
      const std::string text = shape.build(kMaxExprDepth);
      RunOnSmallStack([&] { Exercise(text, h.history); });
    }
  }
}

BOOST_AUTO_TEST_CASE(one_level_more_is_refused_with_its_position) {
  const std::string limit = std::to_string(kMaxExprDepth);
  for (const auto& shape : kShapes) {
    BOOST_TEST_CONTEXT(shape.name) {
      auto parsed = Parse(shape.build(kMaxExprDepth + 1));
      BOOST_REQUIRE(!parsed.ok());
      BOOST_TEST(parsed.error().rfind("1:", 0) == 0u, parsed.error());
      BOOST_TEST(parsed.error().find("expression nests deeper than " + limit + " levels") !=
                     std::string::npos,
                 parsed.error());
    }
  }
  // The position is the construct that crossed the limit: here the 257th "(".
  auto parens = Parse(Repeat("(", kMaxExprDepth + 10) + "1" + Repeat(")", kMaxExprDepth + 10));
  BOOST_REQUIRE(!parens.ok());
  BOOST_TEST(parens.error().rfind("1:" + std::to_string(kMaxExprDepth + 1) + ": ", 0) == 0u,
             parens.error());
}

// The inputs from the hardening issue that crashed --config.check with SIGSEGV.
BOOST_AUTO_TEST_CASE(hostile_nesting_fails_cleanly_on_a_small_stack) {
  const std::string inputs[] = {
      Repeat("(", 50000) + "1" + Repeat(")", 50000),
      Repeat("abs(", 20000) + "up" + Repeat(")", 20000),
      Repeat("-", 50000) + "1",
      Repeat("-", 50000) + "up",
      "up" + Repeat(" + up", 200000),
      "1" + Repeat(" ^ 1", 50000),
      Repeat("sum(", 20000) + "up" + Repeat(")", 20000),
  };
  for (const auto& text : inputs) {
    RunOnSmallStack([&] {
      const auto started = std::chrono::steady_clock::now();
      auto parsed = Parse(text);
      BOOST_TEST(!parsed.ok());
      if (!parsed.ok()) BOOST_TEST(parsed.error().find("nests deeper than") != std::string::npos);
      // Refused where the limit is crossed, not after building (and dropping) the whole tree.
      BOOST_TEST((std::chrono::steady_clock::now() - started < seconds(5)));
    });
  }
}

// What the issue showed loading at start and crashing a reload: must stay valid.
BOOST_AUTO_TEST_CASE(legitimate_long_expressions_still_load) {
  History h;
  const std::string chain = "vector(1)" + Repeat(" or vector(1)", 199);  // 200 terms
  const std::string parens = Repeat("(", 200) + "vector(1)" + Repeat(")", 200);
  for (const auto& text : {chain, parens}) {
    RunOnSmallStack([&] { Exercise(text, h.history); });
  }
}

BOOST_AUTO_TEST_CASE(a_tree_built_without_the_parser_is_destroyed_without_recursion) {
  // A million-level left-deep chain (what a 1,000,000-term `a + a + ...` would be): dropping it
  // recursively would need far more than 1 MiB of stack.
  RunOnSmallStack([] {
    auto leaf = Parse("up");
    BOOST_REQUIRE(leaf.ok());
    ExprPtr chain = *leaf;
    for (int i = 0; i < 1000000; ++i) {
      auto node = std::make_shared<Expr>();
      node->kind = ExprKind::kBinary;
      node->lhs = chain;
      node->rhs = *leaf;  // shared by every level: released, never emptied
      chain = std::move(node);
    }
    chain.reset();
    BOOST_TEST(((*leaf)->kind == ExprKind::kVectorSelector));
    BOOST_TEST((*leaf)->matchers.size() == 1u);
  });
}

}  // namespace
}  // namespace opswatch::promql
