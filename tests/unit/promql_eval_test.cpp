#define BOOST_TEST_MODULE promql_eval
#include "rules/promql/promql_eval.hpp"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <map>

namespace opswatch::promql {
namespace {

using std::chrono::seconds;
const SystemTime kT0 = SystemTime(seconds(1700000000));

// A history with 15s rounds from kT0 to kT0+300s:
//   req_total{job="api",instance="a"}: 0, 10, 20, ... (+10 per round), reset to 5 at round 10
//   req_total{job="api",instance="b"}: 100 + 1 per round
//   temp{room="x"} = 20, temp{room="y"} = 30 (constant); flappy alternates 0/1
struct Fixture {
  Fixture() : history(std::chrono::hours(1)) {
    double a = 0;
    for (int round = 0; round <= 20; ++round) {
      a = round == 10 ? 5 : (round == 0 ? 0 : a + 10);
      history.Append(kT0 + seconds(15 * round),
                     {{"req_total", Labels{{"job", "api"}, {"instance", "a"}}, a},
                      {"req_total", Labels{{"job", "api"}, {"instance", "b"}}, 100.0 + round},
                      {"temp", Labels{{"room", "x"}}, 20},
                      {"temp", Labels{{"room", "y"}}, 30},
                      {"flappy", Labels{}, double(round % 2)}});
    }
  }
  Result<Value> Run(std::string_view text, SystemTime at) {
    auto parsed = Parse(text);
    BOOST_REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? std::string() : parsed.error()));
    return Evaluate(**parsed, history, at);
  }
  // labels -> value, for order-independent comparison.
  std::map<std::string, double> Vec(std::string_view text, SystemTime at = kNow) {
    auto v = Run(text, at);
    BOOST_REQUIRE_MESSAGE(v.ok(), std::string(text) + ": " + (v.ok() ? std::string() : v.error()));
    BOOST_REQUIRE(v->kind == Value::Kind::kVector);
    std::map<std::string, double> out;
    for (const auto& s : v->vector) out[s.labels->ToString()] = s.value;
    return out;
  }
  double Scalar(std::string_view text, SystemTime at = kNow) {
    auto v = Run(text, at);
    BOOST_REQUIRE(v.ok() && v->kind == Value::Kind::kScalar);
    return v->scalar;
  }
  std::string Error(std::string_view text, SystemTime at = kNow) {
    auto v = Run(text, at);
    BOOST_REQUIRE_MESSAGE(!v.ok(), std::string(text) + " unexpectedly succeeded");
    return v.error();
  }
  static inline const SystemTime kNow = kT0 + seconds(300);
  SeriesHistory history;
};

using M = std::map<std::string, double>;

BOOST_FIXTURE_TEST_SUITE(eval, Fixture)

BOOST_AUTO_TEST_CASE(selectors_and_matchers) {
  BOOST_CHECK((Vec("temp") == M{{"{__name__=\"temp\", room=\"x\"}", 20},
                                {"{__name__=\"temp\", room=\"y\"}", 30}}));
  BOOST_CHECK((Vec("temp{room!=\"x\"}") == M{{"{__name__=\"temp\", room=\"y\"}", 30}}));
  BOOST_CHECK_EQUAL(Vec("temp{room=~\"x|z\"}").size(), 1u);
  BOOST_CHECK_EQUAL(Vec("temp{room!~\"x\"}").size(), 1u);
  BOOST_CHECK_EQUAL(Vec("temp{room=~\"\"}").size(), 0u);
  BOOST_CHECK_EQUAL(Vec("temp{missing=\"\"}").size(), 2u);  // absent label equals ""
  BOOST_CHECK_EQUAL(Vec("{__name__=~\"te.*\"}").size(), 2u);
  BOOST_CHECK_EQUAL(Vec("{room=\"x\"}").size(), 1u);
}

BOOST_AUTO_TEST_CASE(selection_cache_follows_new_series_and_keeps_selectors_apart) {
  SelectionCache cache;
  auto run = [&](std::string_view text, SystemTime at) {
    auto parsed = Parse(text);
    BOOST_REQUIRE(parsed.ok());
    auto v = Evaluate(**parsed, history, at, &cache);
    BOOST_REQUIRE(v.ok());
    std::map<std::string, double> out;
    for (const auto& s : v->vector) out[s.labels->ToString()] = s.value;
    return out;
  };
  BOOST_CHECK((run("temp{room=\"x\"}", kNow) == M{{"{__name__=\"temp\", room=\"x\"}", 20}}));
  BOOST_CHECK((run("temp{room=\"y\"}", kNow) == M{{"{__name__=\"temp\", room=\"y\"}", 30}}));
  BOOST_CHECK_EQUAL(run("temp{room=~\"x|y|z\"}", kNow).size(), 2u);
  BOOST_CHECK_EQUAL(cache.size(), 3u);
  // A new series that matches: the cached selections are stale and must see it.
  const SystemTime later = kNow + seconds(15);
  history.Append(later, {{"temp", Labels{{"room", "z"}}, 25}}, "other");
  BOOST_CHECK((run("temp{room=~\"x|y|z\"}", later) == M{{"{__name__=\"temp\", room=\"x\"}", 20},
                                                        {"{__name__=\"temp\", room=\"y\"}", 30},
                                                        {"{__name__=\"temp\", room=\"z\"}", 25}}));
  BOOST_CHECK_EQUAL(run("max_over_time(temp{room=\"z\"}[1m])", later).size(), 1u);
}

BOOST_AUTO_TEST_CASE(results_borrow_labels_that_outlive_the_evaluation) {
  // Computed label sets live in the result's arena: they must survive moving the result.
  auto parsed = Parse("sum by (job) (req_total) + on(job) sum by (job) (req_total)");
  BOOST_REQUIRE(parsed.ok());
  std::vector<Value> kept;
  for (int i = 0; i < 3; ++i) {
    auto v = Evaluate(**parsed, history, kNow);
    BOOST_REQUIRE(v.ok());
    kept.push_back(std::move(v).value());
  }
  for (const auto& v : kept) {
    BOOST_REQUIRE_EQUAL(v.vector.size(), 1u);
    BOOST_TEST(v.vector[0].labels->ToString() == "{job=\"api\"}");
  }
}

BOOST_AUTO_TEST_CASE(lookback_is_five_minutes_inclusive_and_honours_staleness) {
  const SystemTime last = kT0 + seconds(300);
  BOOST_CHECK_EQUAL(Vec("temp", last + seconds(300)).size(), 2u);  // exactly 5m old: kept
  BOOST_CHECK_EQUAL(Vec("temp", last + seconds(301)).size(), 0u);  // older: gone
  BOOST_CHECK_EQUAL(Vec("temp", kT0 - seconds(1)).size(), 0u);     // before any sample
  history.Append(last + seconds(15), {{"temp", Labels{{"room", "x"}}, 21}});  // y disappears
  BOOST_CHECK((Vec("temp", last + seconds(20)) == M{{"{__name__=\"temp\", room=\"x\"}", 21}}));
  BOOST_CHECK_EQUAL(Vec("temp", last + seconds(10)).size(), 2u);  // before the marker
}

BOOST_AUTO_TEST_CASE(arithmetic_drops_the_name_and_comparisons_filter) {
  BOOST_CHECK((Vec("temp * 2") == M{{"{room=\"x\"}", 40}, {"{room=\"y\"}", 60}}));
  BOOST_CHECK((Vec("100 - temp") == M{{"{room=\"x\"}", 80}, {"{room=\"y\"}", 70}}));
  BOOST_CHECK((Vec("temp % 7") == M{{"{room=\"x\"}", 6}, {"{room=\"y\"}", 2}}));
  BOOST_CHECK((Vec("temp ^ 2") == M{{"{room=\"x\"}", 400}, {"{room=\"y\"}", 900}}));
  BOOST_CHECK((Vec("temp / 0")["{room=\"x\"}"] == HUGE_VAL));
  BOOST_CHECK((Vec("temp > 25") == M{{"{__name__=\"temp\", room=\"y\"}", 30}}));
  BOOST_CHECK(
      (Vec("25 < temp") == M{{"{__name__=\"temp\", room=\"y\"}", 30}}));  // vector value kept
  BOOST_CHECK((Vec("temp > bool 25") == M{{"{room=\"x\"}", 0}, {"{room=\"y\"}", 1}}));
  BOOST_CHECK((Vec("temp == 20") == M{{"{__name__=\"temp\", room=\"x\"}", 20}}));
  BOOST_CHECK_EQUAL(Vec("temp != 20").size(), 1u);
  BOOST_CHECK_EQUAL(Vec("temp >= 20").size(), 2u);
  BOOST_CHECK_EQUAL(Vec("temp <= 20").size(), 1u);
  BOOST_CHECK((Vec("-temp") == M{{"{room=\"x\"}", -20}, {"{room=\"y\"}", -30}}));
  BOOST_CHECK_EQUAL(Vec("+temp").count("{__name__=\"temp\", room=\"x\"}"), 1u);
}

BOOST_AUTO_TEST_CASE(scalar_arithmetic_and_precedence) {
  BOOST_CHECK_EQUAL(Scalar("1 + 2 * 3"), 7);
  BOOST_CHECK_EQUAL(Scalar("2 ^ 3 ^ 2"), 512);
  BOOST_CHECK_EQUAL(Scalar("-2 ^ 2"), -4);
  BOOST_CHECK_EQUAL(Scalar("7 % 4"), 3);
  BOOST_CHECK_EQUAL(Scalar("-7 % 4"), -3);  // Go's math.Mod: sign of the dividend
  BOOST_CHECK_EQUAL(Scalar("1 < bool 2"), 1);
  BOOST_CHECK_EQUAL(Scalar("2 == bool 1"), 0);
  BOOST_CHECK(std::isnan(Scalar("NaN")));
  BOOST_CHECK_EQUAL(Scalar("0x10 + 1e1"), 26);
}

BOOST_AUTO_TEST_CASE(vector_matching_one_to_one) {
  // Both series share the non-name labels, so they match one-to-one.
  BOOST_CHECK((Vec("temp - temp") == M{{"{room=\"x\"}", 0}, {"{room=\"y\"}", 0}}));
  BOOST_CHECK((Vec("req_total - on(instance) req_total") ==
               M{{"{instance=\"a\"}", 0}, {"{instance=\"b\"}", 0}}));
  BOOST_CHECK((Vec("req_total > ignoring(job) req_total - 1") ==
               M{{"{__name__=\"req_total\", instance=\"a\"}", 105},
                 {"{__name__=\"req_total\", instance=\"b\"}", 120}}));
  BOOST_CHECK((Vec("req_total > bool on(instance) req_total") ==
               M{{"{instance=\"a\"}", 0}, {"{instance=\"b\"}", 0}}));
  BOOST_CHECK_EQUAL(Vec("temp + req_total").size(), 0u);  // no label set in common
  BOOST_CHECK(
      Error("req_total + on() temp{room=\"x\"}").find("many-to-one matching must be explicit") !=
      std::string::npos);
  BOOST_CHECK(Error("temp{room=\"x\"} + on() req_total")
                  .find("found duplicate series for the match group") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(set_operators) {
  BOOST_CHECK((Vec("temp and temp > 25") == M{{"{__name__=\"temp\", room=\"y\"}", 30}}));
  BOOST_CHECK((Vec("temp unless temp > 25") == M{{"{__name__=\"temp\", room=\"x\"}", 20}}));
  BOOST_CHECK_EQUAL(Vec("temp or req_total").size(), 4u);
  BOOST_CHECK((Vec("temp > 25 or temp") == M{{"{__name__=\"temp\", room=\"x\"}", 20},
                                             {"{__name__=\"temp\", room=\"y\"}", 30}}));
  BOOST_CHECK_EQUAL(Vec("req_total and on() temp").size(), 2u);
  BOOST_CHECK_EQUAL(Vec("req_total unless on(job) temp").size(), 2u);
  BOOST_CHECK_EQUAL(Vec("nothing or temp").size(), 2u);
}

BOOST_AUTO_TEST_CASE(aggregations) {
  BOOST_CHECK((Vec("sum(temp)") == M{{"{}", 50}}));
  BOOST_CHECK((Vec("avg(temp)") == M{{"{}", 25}}));
  BOOST_CHECK((Vec("min(temp)") == M{{"{}", 20}}));
  BOOST_CHECK((Vec("max(temp)") == M{{"{}", 30}}));
  BOOST_CHECK((Vec("count(temp)") == M{{"{}", 2}}));
  BOOST_CHECK((Vec("sum by (job) (req_total)") == M{{"{job=\"api\"}", 225}}));
  BOOST_CHECK((Vec("max without (instance) (req_total)") == M{{"{job=\"api\"}", 120}}));
  BOOST_CHECK((Vec("count by (__name__) (temp)") == M{{"{__name__=\"temp\"}", 2}}));
  BOOST_CHECK_EQUAL(Vec("sum(nothing)").size(), 0u);
  BOOST_CHECK((Vec("count without () (temp)") == M{{"{room=\"x\"}", 1}, {"{room=\"y\"}", 1}}));
}

BOOST_AUTO_TEST_CASE(rate_increase_delta_follow_extrapolated_rate) {
  // instance b: 1 per 15s, samples at 0..300s; [1m] at 300s holds 240,255,270,285,300 (5 pts).
  // sampled 60s, avg 15s, start gap 0 < 16.5 -> extrapolate to 60s: increase = 4 * 60/60 = 4.
  BOOST_CHECK_CLOSE(
      Vec("increase(req_total{instance=\"b\"}[1m])").at("{instance=\"b\", job=\"api\"}"), 4.0,
      1e-9);
  BOOST_CHECK_CLOSE(Vec("rate(req_total{instance=\"b\"}[1m])").at("{instance=\"b\", job=\"api\"}"),
                    4.0 / 60, 1e-9);
  // At 307s the window [247,307] holds 255..300 (4 pts, 45s): start gap 8s, end gap 7s, both
  // under 16.5s, so it extrapolates to the full 60s: 3 * 60/45 = 4.
  BOOST_CHECK_CLOSE(Vec("increase(req_total{instance=\"b\"}[1m])", kT0 + seconds(307))
                        .at("{instance=\"b\", job=\"api\"}"),
                    4.0, 1e-9);
  // Window [100,160] at 160s: samples at 105..150 (4 pts, 45s), end gap 10s, start gap 5s;
  // instance a holds 70, 80, 90 and resets to 5 at 150s: increase = 5 - 70 + 90 = 25, x60/45.
  BOOST_CHECK_CLOSE(Vec("increase(req_total{instance=\"a\"}[1m])", kT0 + seconds(160))
                        .at("{instance=\"a\", job=\"api\"}"),
                    25.0 * 60 / 45, 1e-9);
  // delta does not treat the drop as a reset: 5 - 70 = -65.
  BOOST_CHECK_CLOSE(Vec("delta(req_total{instance=\"a\"}[1m])", kT0 + seconds(160))
                        .at("{instance=\"a\", job=\"api\"}"),
                    -65.0 * 60 / 45, 1e-9);
  // Counter zero-point clamp: a starts at 0 at t=0; window [-50,10] holds one sample -> none.
  BOOST_CHECK_EQUAL(Vec("rate(req_total[1m])", kT0 + seconds(10)).size(), 0u);
  // Window [-30,30]: samples 0 (t=0), 10 (t=15), 20 (t=30); start gap 30s > 16.5 -> +7.5s,
  // but the zero point (0s away) is closer: increase = 20 * (30 + 0 + 0) / 30 = 20.
  BOOST_CHECK_CLOSE(Vec("increase(req_total{instance=\"a\"}[1m])", kT0 + seconds(30))
                        .at("{instance=\"a\", job=\"api\"}"),
                    20.0, 1e-9);
}

BOOST_AUTO_TEST_CASE(irate_and_over_time_functions) {
  BOOST_CHECK_CLOSE(Vec("irate(req_total{instance=\"b\"}[1m])").at("{instance=\"b\", job=\"api\"}"),
                    1.0 / 15, 1e-9);
  // Reset at 150s: irate uses the post-reset value.
  BOOST_CHECK_CLOSE(Vec("irate(req_total{instance=\"a\"}[1m])", kT0 + seconds(150))
                        .at("{instance=\"a\", job=\"api\"}"),
                    5.0 / 15, 1e-9);
  BOOST_CHECK((Vec("avg_over_time(flappy[1m])") == M{{"{}", 0.4}}));  // 0,1,0,1,0 at 240..300
  BOOST_CHECK((Vec("min_over_time(req_total{instance=\"b\"}[1m])") ==
               M{{"{instance=\"b\", job=\"api\"}", 116}}));
  BOOST_CHECK((Vec("max_over_time(req_total{instance=\"b\"}[1m])") ==
               M{{"{instance=\"b\", job=\"api\"}", 120}}));
  BOOST_CHECK((Vec("last_over_time(flappy[1m])") == M{{"{__name__=\"flappy\"}", 0}}));
  BOOST_CHECK((Vec("changes(flappy[1m])") == M{{"{}", 4}}));
  BOOST_CHECK((Vec("changes(temp[5m])") == M{{"{room=\"x\"}", 0}, {"{room=\"y\"}", 0}}));
}

BOOST_AUTO_TEST_CASE(absent_derives_labels_from_equality_matchers) {
  BOOST_CHECK_EQUAL(Vec("absent(temp)").size(), 0u);
  BOOST_CHECK((Vec("absent(nope{job=\"a\", env=~\"p.*\", zone=\"z\"})") ==
               M{{"{job=\"a\", zone=\"z\"}", 1}}));
  BOOST_CHECK((Vec("absent(nope{job=\"a\", job=\"b\"})") == M{{"{}", 1}}));
  BOOST_CHECK((Vec("absent(sum(nope{job=\"a\"}))") == M{{"{}", 1}}));
  BOOST_CHECK((Vec("absent_over_time(nope{job=\"a\"}[5m])") == M{{"{job=\"a\"}", 1}}));
  BOOST_CHECK_EQUAL(Vec("absent_over_time(temp[5m])").size(), 0u);
  // 10 minutes after the last sample, a 5m window is empty.
  BOOST_CHECK((Vec("absent_over_time(temp{room=\"x\"}[5m])", kNow + seconds(600)) ==
               M{{"{room=\"x\"}", 1}}));
}

BOOST_AUTO_TEST_CASE(instant_functions) {
  BOOST_CHECK_EQUAL(Scalar("time()"), 1700000300.0);
  BOOST_CHECK((Vec("timestamp(temp{room=\"x\"})", kNow + seconds(10)) ==
               M{{"{room=\"x\"}", 1700000300.0}}));
  BOOST_CHECK((Vec("timestamp(temp{room=\"x\"} * 1)", kNow + seconds(10)) ==
               M{{"{room=\"x\"}", 1700000310.0}}));
  BOOST_CHECK((Vec("abs(-temp)") == M{{"{room=\"x\"}", 20}, {"{room=\"y\"}", 30}}));
  BOOST_CHECK((Vec("clamp_min(temp, 25)") == M{{"{room=\"x\"}", 25}, {"{room=\"y\"}", 30}}));
  BOOST_CHECK((Vec("clamp_max(temp, 25)") == M{{"{room=\"x\"}", 20}, {"{room=\"y\"}", 25}}));
  BOOST_CHECK(std::isnan(Vec("clamp_max(temp, NaN)").at("{room=\"x\"}")));
  BOOST_CHECK((Vec("vector(3)") == M{{"{}", 3}}));
  BOOST_CHECK_EQUAL(Scalar("scalar(temp{room=\"y\"})"), 30);
  BOOST_CHECK(std::isnan(Scalar("scalar(temp)")));  // not exactly one element
  BOOST_CHECK(
      (Vec("temp > scalar(temp{room=\"x\"})") == M{{"{__name__=\"temp\", room=\"y\"}", 30}}));
}

BOOST_AUTO_TEST_CASE(duplicate_output_labelsets_are_errors) {
  history.Append(kNow + seconds(15),
                 {{"temp", Labels{{"room", "x"}}, 1}, {"heat", Labels{{"room", "x"}}, 2}}, "other");
  const SystemTime at = kNow + seconds(15);
  BOOST_CHECK_EQUAL(Error("{room=\"x\"} * 2", at),
                    "vector cannot contain metrics with the same labelset");
  BOOST_CHECK_EQUAL(Error("changes({room=\"x\"}[1m])", at),
                    "vector cannot contain metrics with the same labelset");
  BOOST_CHECK_EQUAL(Error("abs({room=\"x\"})", at),
                    "vector cannot contain metrics with the same labelset");
  BOOST_CHECK_EQUAL(Vec("{room=\"x\"}", at).size(), 2u);      // selectors keep the name: fine
  BOOST_CHECK_EQUAL(Vec("{room=\"x\"} > 0", at).size(), 2u);  // filtering keeps it too
  BOOST_CHECK_EQUAL(Vec("last_over_time({room=\"x\"}[1m])", at).size(), 2u);
}

BOOST_AUTO_TEST_CASE(offset_reads_the_selector_as_of_earlier) {
  const std::string b = "{__name__=\"req_total\", instance=\"b\", job=\"api\"}";
  BOOST_CHECK((Vec("req_total{instance=\"b\"} offset 1m") == M{{b, 116}}));
  BOOST_CHECK((Vec("req_total{instance=\"b\"} OFFSET -1m", kNow - seconds(60)) == M{{b, 120}}));
  // Rounds 12..16, one apart, exactly spanning the shifted window: 4 per minute.
  const auto rate = Vec("rate(req_total{instance=\"b\"}[1m] offset 1m)");
  BOOST_REQUIRE_EQUAL(rate.size(), 1u);
  BOOST_CHECK_CLOSE(rate.begin()->second, 4.0 / 60, 1e-9);
  // timestamp() reports the sample's own time, not the shifted evaluation time.
  BOOST_CHECK_EQUAL(Vec("timestamp(temp{room=\"x\"} offset 1m)").begin()->second, 1700000240);
  BOOST_CHECK_EQUAL(Vec("temp offset 1h").size(), 0u);
}

BOOST_AUTO_TEST_CASE(group_left_and_group_right_match_many_to_one) {
  // Each instance's share of its job's total; labels come from the "many" side.
  const auto share = Vec("req_total / on(job) group_left sum by (job) (req_total)");
  BOOST_REQUIRE_EQUAL(share.size(), 2u);
  BOOST_CHECK_CLOSE(share.at("{instance=\"b\", job=\"api\"}"), 120.0 / (120 + 105), 1e-9);
  BOOST_CHECK((Vec("sum by (job) (req_total) * on(job) group_right req_total") ==
               Vec("req_total * on(job) group_left sum by (job) (req_total)")));
  // group_left(label) copies the label from the "one" side.
  BOOST_CHECK(
      (Vec("temp * on() group_left(job) sum by (job) (req_total)") ==
       M{{"{job=\"api\", room=\"x\"}", 20 * 225}, {"{job=\"api\", room=\"y\"}", 30 * 225}}));
  BOOST_CHECK(Error("req_total * on(job) group_left req_total")
                  .find("on the right hand-side of the operation") != std::string::npos);
  BOOST_CHECK(Error("req_total * on(job) group_right req_total")
                  .find("on the left hand-side of the operation") != std::string::npos);
  BOOST_CHECK_EQUAL(Error("req_total * on(job) group_left(instance) req_total{instance=\"a\"}"),
                    "multiple matches for labels: grouping labels must ensure unique matches");
}

BOOST_AUTO_TEST_CASE(label_replace_and_label_join) {
  BOOST_CHECK((Vec("label_replace(temp, \"r\", \"<$1>\", \"room\", \"(x)\")") ==
               M{{"{__name__=\"temp\", r=\"<x>\", room=\"x\"}", 20},
                 {"{__name__=\"temp\", room=\"y\"}", 30}}));
  // Go's template rules: `$1x` names a group "1x" (empty); ${1} ends the reference; $$ is '$'.
  BOOST_CHECK((Vec("label_replace(temp{room=\"x\"}, \"r\", \"$1x|${1}x|$$\", \"room\", "
                   "\"(.)\")") == M{{"{__name__=\"temp\", r=\"|xx|$\", room=\"x\"}", 20}}));
  BOOST_CHECK((Vec("label_join(temp{room=\"x\"}, \"id\", \"/\", \"room\", \"__name__\")") ==
               M{{"{__name__=\"temp\", id=\"x/temp\", room=\"x\"}", 20}}));
  BOOST_CHECK_EQUAL(Error("label_replace(temp, \"a\", \"\", \"room\", \"(\")"),
                    "invalid regular expression in label_replace(): (");
  BOOST_CHECK_EQUAL(Error("label_replace(temp, \"room\", \"same\", \"room\", \".*\")"),
                    "vector cannot contain metrics with the same labelset");
}

BOOST_AUTO_TEST_CASE(statistical_aggregations) {
  // temp: 20 and 30.
  BOOST_CHECK((Vec("stddev(temp)") == M{{"{}", 5}}));
  BOOST_CHECK((Vec("stdvar(temp)") == M{{"{}", 25}}));
  BOOST_CHECK((Vec("group by (job) (req_total)") == M{{"{job=\"api\"}", 1}}));
  BOOST_CHECK((Vec("quantile(0.25, temp)") == M{{"{}", 22.5}}));
  BOOST_CHECK((Vec("quantile(2, temp)") == M{{"{}", HUGE_VAL}}));
  BOOST_CHECK((Vec("count_values(\"v\", temp * 1e21)") ==
               M{{"{v=\"20000000000000000000000\"}", 1}, {"{v=\"30000000000000000000000\"}", 1}}));
  BOOST_CHECK((Vec("count_values by (job) (\"v\", req_total * 0 + 0.5)") ==
               M{{"{job=\"api\", v=\"0.5\"}", 2}}));
  BOOST_CHECK_EQUAL(Error("count_values(\"1x\", temp)"), "invalid label name \"1x\"");
}

BOOST_AUTO_TEST_CASE(keywords_are_case_insensitive) {
  BOOST_CHECK((Vec("SUM BY (job) (req_total)") == Vec("sum by (job) (req_total)")));
  BOOST_CHECK((Vec("temp AND ON(room) temp > BOOL 0") == Vec("temp and on(room) temp > bool 0")));
}

BOOST_AUTO_TEST_CASE(regression_and_range_statistics) {
  const std::string b = "{instance=\"b\", job=\"api\"}";
  BOOST_CHECK_CLOSE(Vec("deriv(req_total{instance=\"b\"}[5m])")[b], 1.0 / 15, 1e-9);
  // The line is anchored at the evaluation time: 120 now, +10 over the next 150s.
  BOOST_CHECK_CLOSE(Vec("predict_linear(req_total{instance=\"b\"}[5m], 150)")[b], 130, 1e-9);
  BOOST_CHECK((Vec("deriv(temp{room=\"x\"}[5m])") == M{{"{room=\"x\"}", 0}}));
  BOOST_CHECK((Vec("predict_linear(temp{room=\"x\"}[5m], 60)") == M{{"{room=\"x\"}", 20}}));
  BOOST_CHECK(
      (Vec("resets(req_total{instance=\"a\"}[5m])") == M{{"{instance=\"a\", job=\"api\"}", 1}}));
  BOOST_CHECK((Vec("count_over_time(temp{room=\"x\"}[1m])") == M{{"{room=\"x\"}", 5}}));
  BOOST_CHECK((Vec("sum_over_time(temp{room=\"x\"}[1m])") == M{{"{room=\"x\"}", 100}}));
  BOOST_CHECK((Vec("present_over_time(flappy[1m])") == M{{"{}", 1}}));
  // flappy over the last minute: 0 1 0 1 0.
  BOOST_CHECK((Vec("quantile_over_time(0.5, flappy[1m])") == M{{"{}", 0}}));
  BOOST_CHECK((Vec("quantile_over_time(0.9, flappy[1m])") == M{{"{}", 1}}));
  BOOST_CHECK((Vec("quantile_over_time(2, flappy[1m])") == M{{"{}", HUGE_VAL}}));
  BOOST_CHECK_CLOSE(Vec("stdvar_over_time(flappy[1m])")["{}"], 0.24, 1e-9);
  BOOST_CHECK_CLOSE(Vec("stddev_over_time(flappy[1m])")["{}"], std::sqrt(0.24), 1e-9);
}

BOOST_AUTO_TEST_CASE(math_and_time_of_day) {
  BOOST_CHECK((Vec("round(vector(2.5))") == M{{"{}", 3}}));
  BOOST_CHECK((Vec("round(vector(-2.5))") == M{{"{}", -2}}));  // ties round up
  BOOST_CHECK((Vec("round(vector(7.3), 5)") == M{{"{}", 5}}));
  BOOST_CHECK((Vec("floor(vector(-0.5)) + ceil(vector(0.2))") == M{{"{}", 0}}));
  BOOST_CHECK((Vec("sgn(temp - 25)") == M{{"{room=\"x\"}", -1}, {"{room=\"y\"}", 1}}));
  BOOST_CHECK((Vec("clamp(temp, 21, 29)") == M{{"{room=\"x\"}", 21}, {"{room=\"y\"}", 29}}));
  BOOST_CHECK_EQUAL(Vec("clamp(temp, 29, 21)").size(), 0u);
  BOOST_CHECK((Vec("log2(vector(8)) + log10(vector(100)) + ln(exp(vector(1)))") == M{{"{}", 6}}));
  BOOST_CHECK((Vec("sqrt(vector(16))") == M{{"{}", 4}}));
  // 1970-01-01 was a Thursday; 2000-02-29 00:00 UTC is 951782400.
  BOOST_CHECK((Vec("day_of_week(vector(0))") == M{{"{}", 4}}));
  BOOST_CHECK((Vec("hour(vector(5 * 3600 + 7 * 60))") == M{{"{}", 5}}));
  BOOST_CHECK((Vec("minute(vector(5 * 3600 + 7 * 60))") == M{{"{}", 7}}));
  BOOST_CHECK((Vec("days_in_month(vector(951782400))") == M{{"{}", 29}}));
  BOOST_CHECK((Vec("day_of_month(vector(951782400))") == M{{"{}", 29}}));
  BOOST_CHECK((Vec("month(vector(951782400))") == M{{"{}", 2}}));
  BOOST_CHECK((Vec("year(vector(951782400))") == M{{"{}", 2000}}));
  BOOST_CHECK((Vec("year(vector(-1))") == M{{"{}", 1969}}));
  // Without an argument: the evaluation time (2023-11-14 22:18:20 UTC), name-less.
  BOOST_CHECK((Vec("hour()") == M{{"{}", 22}}));
  BOOST_CHECK((Vec("day_of_week()") == M{{"{}", 2}}));
}

BOOST_AUTO_TEST_SUITE_END()

// Hand-computed bucketQuantile results: interpolation inside a bucket, the highest finite bound
// for ranks in the +Inf bucket, NaN without a +Inf bucket or observations, merged equal bounds,
// and counts forced monotonic.
BOOST_AUTO_TEST_CASE(histogram_quantile_over_classic_buckets) {
  SeriesHistory history(std::chrono::hours(1));
  auto bucket = [](std::string job, std::string le, double v) {
    return Series{"lat_bucket", Labels{{"job", std::move(job)}, {"le", std::move(le)}}, v};
  };
  history.Append(kT0,
                 {bucket("a", "1", 10), bucket("a", "2", 20), bucket("a", "+Inf", 20),
                  bucket("noinf", "1", 5), bucket("noinf", "2", 10), bucket("empty", "1", 0),
                  bucket("empty", "+Inf", 0), bucket("dup", "1", 2), bucket("dup", "1.0", 3),
                  bucket("dup", "+Inf", 10), bucket("mono", "1", 8), bucket("mono", "2", 4),
                  bucket("mono", "+Inf", 8), bucket("tail", "1", 1), bucket("tail", "+Inf", 10)});
  auto quantile = [&](std::string q) {
    auto parsed = Parse("histogram_quantile(" + q + ", lat_bucket)");
    BOOST_REQUIRE(parsed.ok());
    auto v = Evaluate(**parsed, history, kT0);
    BOOST_REQUIRE_MESSAGE(v.ok(), (v.ok() ? std::string() : v.error()));
    std::map<std::string, double> out;
    for (const auto& s : v->vector) out[s.labels->ToString()] = s.value;
    return out;
  };
  auto at_half = quantile("0.5");
  BOOST_CHECK_EQUAL(at_half["{job=\"a\"}"], 1);
  BOOST_CHECK(std::isnan(at_half["{job=\"noinf\"}"]));
  BOOST_CHECK(std::isnan(at_half["{job=\"empty\"}"]));
  BOOST_CHECK_EQUAL(at_half["{job=\"dup\"}"], 1);     // 5 of 10 in the merged first bucket
  BOOST_CHECK_EQUAL(at_half["{job=\"mono\"}"], 0.5);  // 2 read as 8: all in the first bucket
  BOOST_CHECK_EQUAL(at_half["{job=\"tail\"}"], 1);    // the +Inf bucket: its lower bound
  BOOST_CHECK_EQUAL(quantile("0.75")["{job=\"a\"}"], 1.5);
  BOOST_CHECK_EQUAL(quantile("1")["{job=\"a\"}"], 2);
  BOOST_CHECK_EQUAL(quantile("-1")["{job=\"a\"}"], -HUGE_VAL);
  BOOST_CHECK_EQUAL(quantile("2")["{job=\"a\"}"], HUGE_VAL);
}

}  // namespace
}  // namespace opswatch::promql
