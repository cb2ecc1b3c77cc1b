// histogram_quantile over classic `le` buckets, as Prometheus 2.42's funcHistogramQuantile and
// bucketQuantile: buckets are grouped by their labels without `le`, sorted by bound, equal
// bounds merged, counts forced monotonic, and the quantile interpolated linearly inside its
// bucket. No +Inf bucket, fewer than two buckets or no observations give NaN.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

constexpr std::string_view kBucketLabel = "le";

struct Bucket {
  double upper_bound;
  double count;
};

struct Histogram {
  const Labels* labels;  // the first bucket's labels without __name__ and le
  std::vector<Bucket> buckets;
};

// Go's strconv.ParseFloat for the forms a bucket bound takes ("0.5", "+Inf", "1e3", "NaN"):
// the whole text must be a number; strtod's leading blanks and "nan(...)" are refused.
bool ParseBound(const std::string& text, double& out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])) ||
      text.find('(') != std::string::npos) {
    return false;
  }
  const bool hex = text.find("0x") != std::string::npos || text.find("0X") != std::string::npos;
  if (hex && text.find_first_of("pP") == std::string::npos) return false;  // Go needs the p
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return false;
  return errno != ERANGE || std::isinf(out);  // Go returns ±Inf with an error on overflow
}

double BucketQuantile(double q, std::vector<Bucket>& buckets) {
  if (std::isnan(q)) return q;
  if (q < 0) return -HUGE_VAL;
  if (q > 1) return HUGE_VAL;
  std::sort(buckets.begin(), buckets.end(),
            [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  if (!std::isinf(buckets.back().upper_bound) || buckets.back().upper_bound < 0) {
    return std::nan("");
  }
  // Buckets with the same bound (e.g. "1" and "1.0") count as one.
  size_t kept = 0;
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].upper_bound == buckets[kept].upper_bound) {
      buckets[kept].count += buckets[i].count;
    } else {
      buckets[++kept] = buckets[i];
    }
  }
  buckets.resize(kept + 1);
  // Counts can decrease across buckets when their series were scraped or rated apart; the
  // quantile treats each as at least the one below.
  double max = -HUGE_VAL;
  for (auto& b : buckets) {
    if (b.count > max) {
      max = b.count;
    } else if (b.count < max) {
      b.count = max;
    }
  }
  if (buckets.size() < 2) return std::nan("");
  const double observations = buckets.back().count;
  if (observations == 0) return std::nan("");
  double rank = q * observations;
  // The first bucket (the +Inf one excluded) holding the rank, probed in Go's sort.Search order
  // so that NaN counts land where they land in Prometheus.
  size_t b = 0;
  for (size_t hi = buckets.size() - 1; b < hi;) {
    const size_t mid = (b + hi) / 2;
    if (!(buckets[mid].count >= rank)) {
      b = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (b == buckets.size() - 1) return buckets[buckets.size() - 2].upper_bound;
  if (b == 0 && buckets[0].upper_bound <= 0) return buckets[0].upper_bound;
  double start = 0;
  const double end = buckets[b].upper_bound;
  double count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (end - start) * (rank / count);
}

}  // namespace

InstantValue EvalHistogramQuantile(const Expr& e, Context& ctx) {
  const double q = EvalNode(*e.args[0], ctx).scalar;
  const InstantValue input = EvalNode(*e.args[1], ctx);
  // Grouped by the labels other than le (the name included, as Prometheus's key keeps it);
  // groups are listed in first-seen order so the output is deterministic.
  std::unordered_map<uint64_t, std::vector<size_t>> by_hash;
  std::vector<Histogram> histograms;
  std::vector<const Labels*> keys;  // the grouping labels of each histogram, for collisions
  for (const Sample& s : input.vector) {
    double bound = 0;
    if (!s.labels->Has(kBucketLabel) ||
        !ParseBound(std::string(s.labels->Get(kBucketLabel)), bound)) {
      continue;  // Prometheus skips samples without a numeric le, silently
    }
    const uint64_t hash = HashLabels(s, [](std::string_view name) { return name != kBucketLabel; });
    Labels key = s.labels->Filtered([](const Label& label) { return label.name != kBucketLabel; });
    size_t index = histograms.size();
    for (size_t candidate : by_hash[hash]) {
      if (*keys[candidate] == key) index = candidate;
    }
    if (index == histograms.size()) {
      by_hash[hash].push_back(index);
      histograms.push_back(Histogram{
          ctx.Own(key.Filtered([](const Label& label) { return label.name != kMetricName; })), {}});
      keys.push_back(ctx.Own(std::move(key)));
    }
    histograms[index].buckets.push_back(Bucket{bound, s.value});
  }
  InstantValue out;
  out.vector.reserve(histograms.size());
  for (auto& h : histograms) {
    out.vector.push_back(Sample{h.labels, nullptr, BucketQuantile(q, h.buckets)});
  }
  CheckNoDuplicateLabelsets(out.vector);
  return out;
}

}  // namespace opswatch::promql::internal
