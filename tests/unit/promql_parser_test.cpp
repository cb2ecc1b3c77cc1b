#define BOOST_TEST_MODULE promql_parser
#include <boost/test/unit_test.hpp>

#include "rules/promql/promql_ast.hpp"
#include "rules/promql/promql_lexer.hpp"

namespace opswatch::promql {
namespace {

std::string ErrorOf(const Result<ExprPtr>& r) { return r.ok() ? "" : r.error(); }

std::string Canonical(std::string_view text) {
  auto parsed = Parse(text);
  BOOST_REQUIRE_MESSAGE(parsed.ok(), std::string(text) + " -> " + ErrorOf(parsed));
  return Format(**parsed);
}

std::string ParseError(std::string_view text) {
  auto parsed = Parse(text);
  BOOST_REQUIRE_MESSAGE(!parsed.ok(), std::string(text) + " unexpectedly parsed as " +
                                          (parsed.ok() ? Format(**parsed) : ""));
  return parsed.error();
}

BOOST_AUTO_TEST_CASE(round_trips_are_canonical_and_stable) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"up", "up"},
      {"up{job=\"a\",instance!='b'}", "up{job=\"a\", instance!=\"b\"}"},
      {"{__name__=~\"disk_.*\"}", "{__name__=~\"disk_.*\"}"},
      {"x{a=~`a\\d+`, b!~\"c|d\"}", "x{a=~\"a\\\\d+\", b!~\"c|d\"}"},
      {"rate(http_requests_total[5m])", "rate(http_requests_total[5m])"},
      {"rate(x[90s])", "rate(x[1m30s])"},
      {"max_over_time(x[1h30m])", "max_over_time(x[1h30m])"},
      {"sum by(job)(x)", "sum by (job) (x)"},
      {"sum(x) by (job, instance)", "sum by (job, instance) (x)"},
      {"count without (a) (x)", "count without (a) (x)"},
      {"avg(x)", "avg (x)"},
      {"a + on(job) b", "a + on(job) b"},
      {"a > ignoring(x, y) b", "a > ignoring(x, y) b"},
      {"a > bool 3", "a > bool 3"},
      {"1 == bool 1", "1 == bool 1"},
      {"a and b or c unless d", "a and b or c unless d"},
      {"-x", "-x"},
      {"-(a + b)", "-(a + b)"},
      {"-2", "-2"},
      {"1e9", "1e+09"},
      {"0x1F", "31"},
      {"Inf", "Inf"},
      {"-inf", "-Inf"},
      {"NaN", "NaN"},
      {".5", "0.5"},
      {"clamp_min(x, 0)", "clamp_min(x, 0)"},
      {"absent(nonexistent{job=\"a\"})", "absent(nonexistent{job=\"a\"})"},
      {"vector(1)", "vector(1)"},
      {"scalar(x) * 2", "scalar(x) * 2"},
      {"time() - timestamp(x)", "time() - timestamp(x)"},
      {"x # a comment", "x"},
      {"foo:bar_rate5m", "foo:bar_rate5m"},
      {"SUM BY (job) (x)", "sum by (job) (x)"},
      {"Sum(x) Without (a)", "sum without (a) (x)"},
      {"a AND b OR c UNLESS d", "a and b or c unless d"},
      {"a + ON(job) b", "a + on(job) b"},
      {"a > BOOL IGNORING(x) b", "a > bool ignoring(x) b"},
      {"sum by (on, BY) (x)", "sum by (on, BY) (x)"},
      {"x offset 5m", "x offset 5m"},
      {"x OFFSET 90s", "x offset 1m30s"},
      {"x{a=\"b\"} offset -1h", "x{a=\"b\"} offset -1h"},
      {"rate(x[5m] offset 1h)", "rate(x[5m] offset 1h)"},
      {"x offset 5m + y", "x offset 5m + y"},
      {"histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))",
       "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))"},
      {"predict_linear(node_filesystem_free_bytes[1h], 4 * 3600) < 0",
       "predict_linear(node_filesystem_free_bytes[1h], 4 * 3600) < 0"},
      {"deriv(x[10m])", "deriv(x[10m])"},
      {"round(x)", "round(x)"},
      {"round(x, 0.5)", "round(x, 0.5)"},
      {"clamp(x, 0, 1)", "clamp(x, 0, 1)"},
      {"floor(x) + ceil(x) + sqrt(x) + exp(x) + ln(x) + log2(x) + log10(x) + sgn(x)",
       "floor(x) + ceil(x) + sqrt(x) + exp(x) + ln(x) + log2(x) + log10(x) + sgn(x)"},
      {"hour() > 8 and day_of_week(x) < 6", "hour() > 8 and day_of_week(x) < 6"},
      {"year(x) + month(x) + day_of_month(x) + days_in_month(x) + minute(x)",
       "year(x) + month(x) + day_of_month(x) + days_in_month(x) + minute(x)"},
      {"quantile_over_time(0.9, x[5m])", "quantile_over_time(0.9, x[5m])"},
      {"sum_over_time(x[1m]) + count_over_time(x[1m]) + present_over_time(x[1m])",
       "sum_over_time(x[1m]) + count_over_time(x[1m]) + present_over_time(x[1m])"},
      {"stddev_over_time(x[1m]) / stdvar_over_time(x[1m])",
       "stddev_over_time(x[1m]) / stdvar_over_time(x[1m])"},
      {"resets(x[1h])", "resets(x[1h])"},
      {"a * on(x) group_left b", "a * on(x) group_left b"},
      {"a * ON(x) GROUP_LEFT(y, z) b", "a * on(x) group_left(y, z) b"},
      {"a / ignoring(x) group_right() b", "a / ignoring(x) group_right b"},
      {"a > bool on(x) group_left(y) b", "a > bool on(x) group_left(y) b"},
      {"a + on() 1", "a + 1"},
      {"STDDEV(x)", "stddev (x)"},
      {"stdvar by (a) (x)", "stdvar by (a) (x)"},
      {"group without (a) (x)", "group without (a) (x)"},
      {"quantile(0.9, x) by (job)", "quantile by (job) (0.9, x)"},
      {"count_values(\"v\", x)", "count_values (\"v\", x)"},
      {"label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")",
       "label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")"},
      {"label_join(up, \"a\", \",\", \"b\", \"c\", \"d\")",
       "label_join(up, \"a\", \",\", \"b\", \"c\", \"d\")"},
  };
  for (const auto& [in, want] : cases) {
    const std::string got = Canonical(in);
    BOOST_CHECK_MESSAGE(got == want, in << " -> " << got << " (want " << want << ")");
    BOOST_CHECK_EQUAL(Canonical(got), got);  // canonical text re-parses to itself
  }
}

// Fully parenthesised forms show how the parser grouped each expression.
std::string Grouping(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary:
      return "(" + Grouping(*e.lhs) + " " + std::string(BinaryOpText(e.op)) + " " +
             Grouping(*e.rhs) + ")";
    case ExprKind::kUnary:
      return "(" + std::string(e.op == BinaryOp::kSub ? "-" : "+") + Grouping(*e.lhs) + ")";
    case ExprKind::kParen:
      return Grouping(*e.lhs);
    default:
      return Format(e);
  }
}

BOOST_AUTO_TEST_CASE(precedence_and_associativity_match_prometheus) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"1 + 2 * 3", "(1 + (2 * 3))"},
      {"1 * 2 + 3", "((1 * 2) + 3)"},
      {"1 - 2 - 3", "((1 - 2) - 3)"},
      {"2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"},
      {"a / b % c", "((a / b) % c)"},
      {"-a ^ 2", "(-(a ^ 2))"},
      {"-a * 2", "((-a) * 2)"},
      {"a + b > c", "((a + b) > c)"},
      {"a > b and c", "((a > b) and c)"},
      {"a and b or c", "((a and b) or c)"},
      {"a or b and c", "(a or (b and c))"},
      {"a unless b and c", "((a unless b) and c)"},
      {"a == b != c", "((a == b) != c)"},
      {"2 ^ -1", "(2 ^ -1)"},
      {"a * -b", "(a * (-b))"},
      {"(a + b) * c", "((a + b) * c)"},
  };
  for (const auto& [in, want] : cases) {
    auto parsed = Parse(in);
    BOOST_REQUIRE_MESSAGE(parsed.ok(), in << ": " << ErrorOf(parsed));
    BOOST_CHECK_EQUAL(Grouping(**parsed), want);
  }
}

BOOST_AUTO_TEST_CASE(errors_name_the_construct_and_position) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"label_join(x, \"a\")",
       "1:1: expected at least 3 argument(s) in call to \"label_join\", got 2"},
      {"label_replace(x, \"a\", \"b\", \"c\", 1)",
       "1:1: expected type string in call to function \"label_replace\", got scalar"},
      {"histogram_count(x)", "1:1: unsupported function \"histogram_count\""},
      {"sum(rate(x[5m])))", "1:17: unexpected \")\""},
      {"limitk(3, x)", "1:1: unsupported aggregation \"limitk\""},
      {"topk(x)",
       "1:5: wrong number of arguments for aggregate expression provided, expected 2, got 1"},
      {"bottomk(\"a\", x)", "1:8: expected type scalar in aggregation parameter, got string"},
      {"quantile(x)",
       "1:9: wrong number of arguments for aggregate expression provided, expected 2, got 1"},
      {"quantile(\"a\", x)", "1:9: expected type scalar in aggregation parameter, got string"},
      {"count_values(1, x)", "1:13: expected type string in aggregation parameter, got scalar"},
      {"stddev(1, x)",
       "1:7: wrong number of arguments for aggregate expression provided, expected 1, got 2"},
      {"x offset 5m offset 1m", "1:13: offset may not be set multiple times"},
      {"x offset 5m[1m]", "1:12: no offset modifiers allowed before range"},
      {"sum(x) offset 5m",
       "1:8: offset modifier must be preceded by an instant vector selector or range vector "
       "selector or a subquery"},
      {"x offset 5", "1:10: bad duration syntax: \"5\""},
      {"x offset", "1:9: unexpected end of input"},
      {"offset", "1:1: unexpected \"offset\""},
      {"round(x, 1, 2)", "1:1: expected at most 2 argument(s) in call to \"round\", got 3"},
      {"round()", "1:1: expected at least 1 argument(s) in call to \"round\", got 0"},
      {"hour(1)", "1:1: expected type instant vector in call to function \"hour\", got scalar"},
      {"histogram_quantile(x, y)",
       "1:1: expected type scalar in call to function \"histogram_quantile\", got instant "
       "vector"},
      {"quantile_over_time(x[5m], 0.5)",
       "1:1: expected type scalar in call to function \"quantile_over_time\", got range vector"},
      {"RATE(x[5m])", "1:1: unsupported function \"RATE\""},
      {"LIMITK(3, x)", "1:1: unsupported aggregation \"LIMITK\""},
      {"x @ 100", "1:3: unsupported @ modifier"},
      {"rate(x[5m:1m])", "1:7: unsupported subquery"},
      {"a * group_left b", "1:5: unexpected \"group_left\""},
      {"a * on(x) group_left(x) b",
       "1:3: label \"x\" must not occur in ON and GROUP clause at once"},
      {"a and on(x) group_left b", "1:3: no grouping allowed for \"and\" operation"},
      {"a + on(x) group_left 1", "1:3: vector matching only allowed between instant vectors"},
      {"1 > 2", "1:3: comparisons between scalars must use BOOL modifier"},
      {"a and 1", "1:3: set operator \"and\" not allowed in binary scalar expression"},
      {"a + bool b", "1:5: bool modifier can only be used on comparison operators"},
      {"rate(x)",
       "1:1: expected type range vector in call to function \"rate\", got instant vector"},
      {"abs(x[5m])",
       "1:1: expected type instant vector in call to function \"abs\", got range vector"},
      {"clamp_min(x)", "1:1: expected 2 argument(s) in call to \"clamp_min\", got 1"},
      {"sum(1)", "1:4: expected type instant vector in aggregation expression, got scalar"},
      {"x[5m]", "1:1: a range vector is only allowed as a function argument"},
      {"{a=\"\"}", "1:1: vector selector must contain at least one non-empty matcher"},
      {"x{a=~\"(\"}", "1:6: invalid regular expression \"(\": missing )"},
      {"foo{__name__=\"bar\"}", "1:5: metric name must not be set twice"},
      {"x +", "1:4: unexpected end of input"},
      {"", "1:1: no expression found in input"},
      {"\"str\"", "1:1: expression must evaluate to a scalar or an instant vector, got string"},
      {"x{a=\"b}", "1:5: unterminated string"},
      {"1 + 1 * on(a) 2", "1:7: vector matching only allowed between instant vectors"},
      {"x\n  + $", "2:5: unexpected character: '$'"},
      {"(1 + 2", "1:7: unexpected end of input"},
      {"x atan2 y", "1:3: unsupported binary operator \"atan2\""},
  };
  for (const auto& [in, want] : cases) {
    const std::string got = ParseError(in);
    BOOST_CHECK_MESSAGE(got.rfind(want, 0) == 0,
                        in << " -> " << got << " (want prefix " << want << ")");
  }
}

BOOST_AUTO_TEST_CASE(regex_matchers_are_fully_anchored) {
  auto parsed = Parse("x{a=~\"fo+\"}");
  BOOST_REQUIRE(parsed.ok());
  const Matcher& m = (*parsed)->matchers[1];
  BOOST_CHECK(m.Matches("foo"));
  BOOST_CHECK(!m.Matches("xfoo"));
  BOOST_CHECK(!m.Matches("foox"));
  auto alt = Parse("x{a=~\"a|b\"}");
  BOOST_REQUIRE(alt.ok());
  BOOST_CHECK(!(*alt)->matchers[1].Matches("ab"));  // ^(?:a|b)$, not ^a|b$
  BOOST_CHECK((*alt)->matchers[1].Matches("b"));
}

BOOST_AUTO_TEST_CASE(max_range_covers_ranges_and_lookback) {
  using std::chrono::minutes;
  auto e = [](std::string_view t) { return *Parse(t); };
  BOOST_CHECK(MaxRange(*e("1 + 2")) == minutes(0));
  BOOST_CHECK(MaxRange(*e("up")) == minutes(5));
  BOOST_CHECK(MaxRange(*e("rate(x[1m])")) == minutes(1));
  BOOST_CHECK(MaxRange(*e("rate(x[1h]) > on(a) y")) == minutes(60));
  BOOST_CHECK(MaxRange(*e("sum(avg_over_time(x[10m]))")) == minutes(10));
  // An offset reaches back further by its own length; a negative one does not reach back.
  BOOST_CHECK(MaxRange(*e("x offset 1h")) == minutes(65));
  BOOST_CHECK(MaxRange(*e("rate(x[5m] offset 1h)")) == minutes(65));
  BOOST_CHECK(MaxRange(*e("x offset -1h")) == minutes(5));
  BOOST_CHECK(MaxRange(*e("predict_linear(x[1h], 3600)")) == minutes(60));
}

BOOST_AUTO_TEST_CASE(range_durations_parse_and_print_like_prometheus) {
  // The range literal uses core's one duration parser and printer (Prometheus's model.Duration).
  for (auto [range, printed] :
       {std::pair{"1h30m", "1h30m"}, std::pair{"250ms", "250ms"}, std::pair{"1w2d", "9d"},
        std::pair{"14d", "2w"}, std::pair{"1500ms", "1s500ms"}}) {
    auto parsed = Parse("rate(x[" + std::string(range) + "])");
    BOOST_REQUIRE_MESSAGE(parsed.ok(), range);
    BOOST_CHECK_EQUAL(Format(**parsed), "rate(x[" + std::string(printed) + "])");
  }
  for (const char* range : {"30m1h", "0s", "5x", "99999999999999999999s"}) {
    BOOST_CHECK_MESSAGE(!Parse("rate(x[" + std::string(range) + "])").ok(), range);
  }
}

BOOST_AUTO_TEST_CASE(strings_unescape_go_escapes) {
  auto parsed = Parse("x{a=\"q\\\"\\n\\x41\\u00e9\", b='it\\'s'}");
  BOOST_REQUIRE_MESSAGE(parsed.ok(), ErrorOf(parsed));
  BOOST_CHECK_EQUAL((*parsed)->matchers[1].value, "q\"\nA\xc3\xa9");
  BOOST_CHECK_EQUAL((*parsed)->matchers[2].value, "it's");
  BOOST_CHECK(!Parse("x{a=\"\\q\"}").ok());
}

// Found by tests/fuzz/promql_fuzz: a duration whose milliseconds overflow is a syntax error, not
// undefined behaviour.
BOOST_AUTO_TEST_CASE(durations_past_the_range_of_milliseconds_are_refused) {
  BOOST_TEST(!Parse("rate(x[33333333333333335m])").ok());
  BOOST_TEST(!Parse("rate(x[9223372036854775807ms1ms])").ok());
  BOOST_TEST(!Parse("rate(x[292471209y])").ok());
  BOOST_TEST(Canonical("rate(x[290y])") == "rate(x[290y])");
}

}  // namespace
}  // namespace opswatch::promql
