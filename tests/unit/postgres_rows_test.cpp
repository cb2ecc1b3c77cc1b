// Custom query rows -> samples, and the metric name rules checked at load.
#define BOOST_TEST_MODULE postgres_rows
#include "collectors/postgres/postgres_rows.hpp"

#include <boost/test/unit_test.hpp>
#include <cmath>

namespace opswatch {
namespace {

constexpr unsigned kText = 25, kInt8 = 20, kInt4 = 23, kFloat8 = 701, kNumeric = 1700, kBool = 16;

std::string ErrorOf(const Result<std::vector<Sample>>& r) { return r.ok() ? "" : r.error(); }

PgResult Make(std::vector<PgResult::Column> columns,
              std::vector<std::vector<std::optional<std::string>>> rows) {
  return PgResult{std::move(columns), std::move(rows)};
}

BOOST_AUTO_TEST_CASE(SingleNumericColumnIsTheValue) {
  auto samples = RowsToSamples(Make({{"count", kInt8}}, {{"42"}}));
  BOOST_TEST_REQUIRE(samples.ok(), ErrorOf(samples));
  BOOST_TEST(samples->size() == 1u);
  BOOST_TEST((*samples)[0].value == 42.0);
  BOOST_TEST((*samples)[0].labels.empty());
}

BOOST_AUTO_TEST_CASE(TextColumnsBecomeLabelsAndValueColumnWins) {
  auto samples = RowsToSamples(Make({{"schema", kText}, {"rows", kInt4}, {"value", kNumeric}},
                                    {{"public", "7", "1.5"}, {"audit", "8", "2.25"}}));
  BOOST_TEST_REQUIRE(samples.ok(), ErrorOf(samples));
  BOOST_TEST_REQUIRE(samples->size() == 2u);
  // Other numeric columns are labels once `value` names the value.
  BOOST_TEST((*samples)[0].labels.ToString() == R"({rows="7", schema="public"})");
  BOOST_TEST((*samples)[0].value == 1.5);
  BOOST_TEST((*samples)[1].labels.Get("schema") == "audit");
  BOOST_TEST((*samples)[1].value == 2.25);
}

// A SQL_ASCII database returns any bytes; label values must still be valid UTF-8.
BOOST_AUTO_TEST_CASE(TextFromTheDatabaseIsSanitisedIntoLabels) {
  auto samples =
      RowsToSamples(Make({{"name", kText}, {"value", kInt8}}, {{"caf\xE9", "1"}, {"ok", "2"}}));
  BOOST_TEST_REQUIRE(samples.ok(), ErrorOf(samples));
  BOOST_TEST_REQUIRE(samples->size() == 2u);
  BOOST_TEST((*samples)[0].labels.Get("name") == "caf\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(NullValueSkipsTheRowAndNullLabelIsEmpty) {
  auto samples = RowsToSamples(
      Make({{"name", kText}, {"value", kFloat8}}, {{"a", std::nullopt}, {std::nullopt, "3"}}));
  BOOST_TEST_REQUIRE(samples.ok(), ErrorOf(samples));
  BOOST_TEST_REQUIRE(samples->size() == 1u);
  BOOST_TEST((*samples)[0].labels.empty());
  BOOST_TEST((*samples)[0].value == 3.0);
}

BOOST_AUTO_TEST_CASE(BoolsAndSpecialFloats) {
  auto samples = RowsToSamples(Make({{"k", kText}, {"ok", kBool}}, {{"x", "t"}, {"y", "f"}}));
  BOOST_TEST_REQUIRE(samples.ok(), ErrorOf(samples));
  BOOST_TEST((*samples)[0].value == 1.0);
  BOOST_TEST((*samples)[1].value == 0.0);
  auto nan = RowsToSamples(Make({{"value", kFloat8}}, {{"NaN"}}));
  BOOST_TEST_REQUIRE(nan.ok());
  BOOST_TEST(std::isnan((*nan)[0].value));
  auto inf = RowsToSamples(Make({{"value", kFloat8}}, {{"-Infinity"}}));
  BOOST_TEST_REQUIRE(inf.ok());
  BOOST_TEST(std::isinf((*inf)[0].value));
}

BOOST_AUTO_TEST_CASE(NoRowsIsNoSamplesNotAnError) {
  auto samples = RowsToSamples(Make({{"value", kInt8}}, {}));
  BOOST_TEST_REQUIRE(samples.ok());
  BOOST_TEST(samples->empty());
}

BOOST_AUTO_TEST_CASE(ClearErrors) {
  BOOST_TEST(RowsToSamples(Make({{"a", kText}, {"b", kText}}, {{"x", "y"}})).error() ==
             "no numeric column to use as the value (columns: a, b)");
  BOOST_TEST(RowsToSamples(Make({{"a", kInt8}, {"b", kInt8}}, {{"1", "2"}})).error() ==
             "several numeric columns (a, b); name the one to publish `value`");
  BOOST_TEST(RowsToSamples(Make({{"value", kText}}, {{"1"}})).error() ==
             "column \"value\" is not numeric (cast it, e.g. value::float8)");
  BOOST_TEST(RowsToSamples(Make({{"count(*)", kText}, {"value", kInt8}}, {{"a", "1"}})).error() ==
             "column \"count(*)\" is not a legal label name (alias it with AS)");
  BOOST_TEST(RowsToSamples(Make({{"collector", kText}, {"value", kInt8}}, {{"a", "1"}})).error() ==
             "column \"collector\" is reserved for the collector label (alias it)");
  BOOST_TEST(
      RowsToSamples(Make({{"k", kText}, {"value", kInt8}}, {{"a", "1"}, {"a", "2"}})).error() ==
      "rows 1 and 2 have the same labels {k=\"a\"}");
  BOOST_TEST(RowsToSamples(Make({{"value", kNumeric}}, {{"12abc"}})).error() ==
             "row 1: cannot read \"12abc\" as a number");
}

BOOST_AUTO_TEST_CASE(MetricNames) {
  BOOST_TEST(CheckCustomMetricName("opswatch_pg_audit_logs_rows", MetricType::kGauge) == "");
  BOOST_TEST(CheckCustomMetricName("app:orders_total", MetricType::kCounter) == "");
  BOOST_TEST(CheckCustomMetricName("2rows", MetricType::kGauge) ==
             "\"2rows\" is not a valid metric name (use [a-zA-Z_:][a-zA-Z0-9_:]*)");
  BOOST_TEST(CheckCustomMetricName("audit-rows", MetricType::kGauge) ==
             "\"audit-rows\" is not a valid metric name (use [a-zA-Z_:][a-zA-Z0-9_:]*)");
  BOOST_TEST(CheckCustomMetricName("opswatch_pg_up", MetricType::kGauge) ==
             "\"opswatch_pg_up\" clashes with a built-in metric");
  BOOST_TEST(CheckCustomMetricName("opswatch_collector_up", MetricType::kGauge) ==
             "\"opswatch_collector_up\" clashes with opswatch's own opswatch_collector_* metrics");
  BOOST_TEST(CheckCustomMetricName("orders", MetricType::kCounter) ==
             "\"orders\" is a counter, so its name must end in _total");
  BOOST_TEST(CheckCustomMetricName("orders_total", MetricType::kGauge) ==
             "\"orders_total\" ends in _total, which is for counters (set type: counter)");
}

}  // namespace
}  // namespace opswatch
