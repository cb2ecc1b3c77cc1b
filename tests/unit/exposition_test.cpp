#define BOOST_TEST_MODULE exposition
#include "exporter/exposition.hpp"

#include <zlib.h>

#include <boost/test/unit_test.hpp>

using namespace opswatch;

namespace {

std::string Gunzip(const std::string& data) {
  z_stream s{};
  inflateInit2(&s, 15 + 16);
  std::string out(1 << 20, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = data.size();
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = out.size();
  inflate(&s, Z_FINISH);
  out.resize(s.total_out);
  inflateEnd(&s);
  return out;
}

Snapshot Example() {
  Snapshot s;
  s.families.push_back(Gauge("opswatch_disk_avail_bytes", "Available bytes.")
                           .Add(Labels{{"path", "/"}, {"collector", "d"}}, 1.5e9));
  s.families.push_back(
      Counter("opswatch_collector_runs_total", "Runs.").Add(Labels{{"collector", "d"}}, 3));
  MetricFamily h{"opswatch_notification_latency_seconds", "Latency.", MetricType::kHistogram, {}};
  Sample sample;
  sample.labels = Labels{{"receiver", "ops"}};
  sample.histogram = HistogramValue{{{0.1, 1}, {1, 3}}, 4, 2.5};
  h.samples.push_back(sample);
  s.families.push_back(h);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(text_format_has_help_type_and_histogram_series) {
  std::string text = SerializeText(Example());
  BOOST_TEST(text.find("# HELP opswatch_disk_avail_bytes Available bytes.\n"
                       "# TYPE opswatch_disk_avail_bytes gauge\n"
                       "opswatch_disk_avail_bytes{collector=\"d\",path=\"/\"} 1500000000\n") !=
             std::string::npos);
  BOOST_TEST(text.find("# TYPE opswatch_collector_runs_total counter\n"
                       "opswatch_collector_runs_total{collector=\"d\"} 3\n") != std::string::npos);
  BOOST_TEST(
      text.find("opswatch_notification_latency_seconds_bucket{receiver=\"ops\",le=\"1\"} 3") !=
      std::string::npos);
  BOOST_TEST(
      text.find("opswatch_notification_latency_seconds_bucket{receiver=\"ops\",le=\"+Inf\"} 4") !=
      std::string::npos);
  BOOST_TEST(text.find("opswatch_notification_latency_seconds_count{receiver=\"ops\"} 4") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(cache_serialises_once_per_snapshot_and_gzips) {
  ExpositionCache cache;
  auto snap = std::make_shared<const Snapshot>(Example());
  auto a = cache.Get(snap, false);
  auto b = cache.Get(snap, false);
  BOOST_TEST(a.get() == b.get());
  auto gz = cache.Get(snap, true);
  BOOST_TEST(Gunzip(*gz) == *a);
  BOOST_TEST(gz->size() < a->size());
  auto other = std::make_shared<const Snapshot>(Example());
  BOOST_TEST(cache.Get(other, false).get() != a.get());
}

BOOST_AUTO_TEST_CASE(flatten_expands_histograms_for_rules) {
  Snapshot s = Example();
  std::vector<Series> series;
  for (const auto& family : s.families) FlattenFamily(family, series);
  int buckets = 0;
  for (const auto& x : series) {
    if (x.name == "opswatch_notification_latency_seconds_bucket") ++buckets;
  }
  BOOST_TEST(buckets == 3);
  BOOST_TEST(series.size() == 2u + 3u + 2u);
}
