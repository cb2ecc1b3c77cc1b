#include "exporter/exposition.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>
#include <zlib.h>

#include <sstream>
#include <stdexcept>

namespace opswatch {
namespace {

prometheus::ClientMetric ToClientMetric(const Sample& sample, MetricType type) {
  prometheus::ClientMetric metric;
  for (const auto& label : sample.labels) metric.label.push_back({label.name, label.value});
  switch (type) {
    case MetricType::kGauge:
      metric.gauge.value = sample.value;
      break;
    case MetricType::kCounter:
      metric.counter.value = sample.value;
      break;
    case MetricType::kHistogram:
      if (sample.histogram) {
        metric.histogram.sample_count = sample.histogram->count;
        metric.histogram.sample_sum = sample.histogram->sum;
        for (const auto& [bound, count] : sample.histogram->buckets) {
          metric.histogram.bucket.push_back({count, bound});
        }
        // TextSerializer writes the +Inf bucket from the last bucket entry.
        metric.histogram.bucket.push_back(
            {sample.histogram->count, std::numeric_limits<double>::infinity()});
      }
      break;
  }
  return metric;
}

prometheus::MetricType ToPrometheusType(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return prometheus::MetricType::Counter;
    case MetricType::kHistogram:
      return prometheus::MetricType::Histogram;
    default:
      return prometheus::MetricType::Gauge;
  }
}

}  // namespace

std::string SerializeText(const Snapshot& snapshot) {
  std::vector<prometheus::MetricFamily> families;
  families.reserve(snapshot.families.size());
  for (const auto& family : snapshot.families) {
    prometheus::MetricFamily out;
    out.name = family.name;
    out.help = family.help;
    out.type = ToPrometheusType(family.type);
    out.metric.reserve(family.samples.size());
    for (const auto& sample : family.samples) {
      out.metric.push_back(ToClientMetric(sample, family.type));
    }
    families.push_back(std::move(out));
  }
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, families);
  return text.str();
}

std::string GzipCompress(const std::string& data) {
  z_stream stream{};
  // windowBits 15 + 16 asks zlib for a gzip header and trailer.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&stream, data.size()) + 32);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

std::shared_ptr<const std::string> ExpositionCache::Get(const SnapshotPtr& snapshot, bool gzip) {
  std::lock_guard lock(mu_);
  if (snapshot != snapshot_) {
    snapshot_ = snapshot;
    text_ = std::make_shared<const std::string>(SerializeText(*snapshot));
    gzip_.reset();
  }
  if (!gzip) return text_;
  if (!gzip_) gzip_ = std::make_shared<const std::string>(GzipCompress(*text_));
  return gzip_;
}

}  // namespace opswatch
