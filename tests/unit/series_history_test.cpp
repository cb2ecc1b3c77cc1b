#define BOOST_TEST_MODULE series_history
#include "rules/promql/series_history.hpp"

#include <bit>
#include <boost/test/unit_test.hpp>
#include <cmath>

namespace opswatch {
namespace {

using std::chrono::seconds;
const SystemTime kT0 = SystemTime(seconds(1700000000));

std::vector<HistoryPoint> PointsOf(const SeriesHistory& h, std::string_view name,
                                   std::string_view job) {
  std::vector<HistoryPoint> out;
  for (const HistorySeries* s : h.SeriesNamed(name)) {
    if (s->labels.Get("job") == job) out.assign(s->live().begin(), s->live().end());
  }
  return out;
}

BOOST_AUTO_TEST_CASE(appends_samples_with_name_label_in_milliseconds) {
  SeriesHistory h(std::chrono::minutes(5));
  h.Append(kT0, {{"up", Labels{{"job", "a"}}, 1}, {"up", Labels{{"job", "b"}}, 0}});
  h.Append(kT0 + seconds(15), {{"up", Labels{{"job", "a"}}, 1}, {"up", Labels{{"job", "b"}}, 1}});
  BOOST_CHECK_EQUAL(h.series_count(), 2u);
  BOOST_CHECK_EQUAL(h.sample_count(), 4u);
  auto points = PointsOf(h, "up", "b");
  BOOST_REQUIRE_EQUAL(points.size(), 2u);
  BOOST_CHECK_EQUAL(points[1].t_ms, 1700000015000LL);
  BOOST_CHECK_EQUAL(points[1].value, 1);
  for (const HistorySeries* s : h.SeriesNamed("up")) {
    BOOST_CHECK_EQUAL(s->labels.Get("__name__"), "up");
    BOOST_CHECK_EQUAL(s->labels_without_name.Get("__name__"), "");
    BOOST_CHECK_EQUAL(s->fingerprint_without_name, s->labels_without_name.Fingerprint());
  }
  BOOST_CHECK_EQUAL(h.AllSeries().size(), 2u);
  BOOST_CHECK(h.SeriesNamed("nope").empty());
  BOOST_CHECK_GT(h.bytes_estimate(), 0u);
}

BOOST_AUTO_TEST_CASE(appending_families_equals_appending_their_flattened_series) {
  std::vector<MetricFamily> families;
  families.push_back(Gauge("up", "u").Add(Labels{{"job", "a"}}, 1).Add(Labels{{"job", "b"}}, 0));
  MetricFamily latency{"latency_seconds", "l", MetricType::kHistogram, {}};
  latency.samples.push_back(
      opswatch::Sample{Labels{{"job", "a"}}, 0, HistogramValue{{{0.1, 3}, {1, 5}}, 7, 2.5}});
  families.push_back(latency);
  families.push_back(Counter("runs_total", "r").Add(Labels{{"job", "c"}}, 4));
  std::vector<Series> flat;
  for (const auto& f : families) FlattenFamily(f, flat);

  SeriesHistory by_family(std::chrono::minutes(5));
  SeriesHistory by_series(std::chrono::minutes(5));
  for (int round = 0; round < 3; ++round) {
    if (round == 2) {  // a series goes away: both get its staleness marker
      families[0].samples.pop_back();
      flat.erase(flat.begin() + 1);
    }
    by_family.AppendFamilies(kT0 + seconds(15 * round), families, "snapshot");
    by_series.Append(kT0 + seconds(15 * round), flat, "snapshot");
  }
  BOOST_CHECK_EQUAL(by_family.series_count(), 8u);  // 2 up, 3 buckets + sum + count, 1 runs
  BOOST_CHECK_EQUAL(by_family.series_count(), by_series.series_count());
  BOOST_CHECK_EQUAL(by_family.sample_count(), by_series.sample_count());
  for (const HistorySeries* a : by_family.AllSeries()) {
    bool found = false;
    for (const HistorySeries* b : by_series.AllSeries()) {
      if (a->labels != b->labels) continue;
      found = true;
      BOOST_REQUIRE_EQUAL(a->live().size(), b->live().size());
      for (size_t i = 0; i < a->live().size(); ++i) {
        BOOST_CHECK_EQUAL(a->live()[i].t_ms, b->live()[i].t_ms);
        BOOST_CHECK_EQUAL(std::bit_cast<uint64_t>(a->live()[i].value),
                          std::bit_cast<uint64_t>(b->live()[i].value));
      }
    }
    BOOST_CHECK_MESSAGE(found, a->labels.ToString());
  }
  BOOST_CHECK(IsStaleMarker(PointsOf(by_family, "up", "b").back().value));
}

BOOST_AUTO_TEST_CASE(a_series_missing_from_its_source_gets_one_staleness_marker) {
  SeriesHistory h(std::chrono::minutes(5));
  h.Append(kT0, {{"up", Labels{{"job", "a"}}, 1}}, "disk");
  h.Append(kT0, {{"other", Labels{}, 7}}, "http");
  h.Append(kT0 + seconds(15), {}, "disk");
  h.Append(kT0 + seconds(30), {}, "disk");
  auto points = PointsOf(h, "up", "a");
  BOOST_REQUIRE_EQUAL(points.size(), 2u);  // one marker, not one per round
  BOOST_CHECK(IsStaleMarker(points[1].value));
  BOOST_CHECK(std::isnan(StaleMarker()));
  BOOST_CHECK(!IsStaleMarker(std::nan("")));
  // Another source's series are untouched by the "disk" rounds.
  BOOST_CHECK_EQUAL(PointsOf(h, "other", "").size(), 1u);
}

BOOST_AUTO_TEST_CASE(retention_prunes_old_samples_and_forgets_dead_series) {
  SeriesHistory h(std::chrono::seconds(60));
  h.Append(kT0, {{"gone", Labels{}, 1}, {"kept", Labels{}, 1}}, "a");
  for (int i = 1; i <= 10; ++i)
    h.Append(kT0 + seconds(15 * i), {{"kept", Labels{}, double(i)}}, "a");
  auto kept = PointsOf(h, "kept", "");
  BOOST_CHECK_EQUAL(kept.front().t_ms, 1700000090000LL);  // newest 150s - 60s retention
  BOOST_CHECK_EQUAL(h.series_count(), 1u);                // "gone" and its marker aged out
  BOOST_CHECK_EQUAL(h.sample_count(), kept.size());
  h.SetRetention(std::chrono::seconds(15));
  h.Append(kT0 + seconds(165), {{"kept", Labels{}, 11}}, "a");
  BOOST_CHECK_EQUAL(h.sample_count(), 2u);
}

BOOST_AUTO_TEST_CASE(out_of_order_and_duplicate_timestamps_are_ignored) {
  SeriesHistory h(std::chrono::minutes(5));
  h.Append(kT0 + seconds(15), {{"x", Labels{}, 1}});
  h.Append(kT0, {{"x", Labels{}, 2}});
  h.Append(kT0 + seconds(15), {{"x", Labels{}, 3}});
  auto points = PointsOf(h, "x", "");
  BOOST_REQUIRE_EQUAL(points.size(), 1u);
  BOOST_CHECK_EQUAL(points[0].value, 1);
}

}  // namespace
}  // namespace opswatch
