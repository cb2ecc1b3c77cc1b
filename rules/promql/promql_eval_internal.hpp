// Pieces of the evaluator shared between its translation units. Not part of the public API.
//
// Samples borrow their label sets (from the history, or from the evaluation's arena) instead of
// copying them: a round of 1,000 rules over 10,000 series would otherwise spend most of its time
// in malloc. The public Value borrows them too (see promql_eval.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rules/promql/promql_eval.hpp"

namespace opswatch::promql::internal {

inline constexpr std::string_view kMetricName = "__name__";

// A few label names (an on/ignoring or by/without list) tested for membership for every label
// of every sample: a bit per name length rejects most labels before any string compare.
class NameList {
 public:
  explicit NameList(const std::vector<std::string>& names) : names_(names) {
    for (const auto& n : names) lengths_ |= uint64_t{1} << std::min<size_t>(n.size(), 63);
  }
  bool Contains(std::string_view name) const {
    if ((lengths_ >> std::min<size_t>(name.size(), 63) & 1) == 0) return false;
    for (const auto& n : names_) {
      if (n == name) return true;
    }
    return false;
  }

 private:
  const std::vector<std::string>& names_;
  uint64_t lengths_ = 0;  // bit n: some name is n bytes long; bit 63: 63 or longer
};

// Evaluation failures inside the evaluator unwind as this; Evaluate() turns it into a Result.
struct EvalError {
  std::string message;
};

struct Sample {
  const Labels* labels;         // borrowed; outlives the evaluation
  const HistorySeries* series;  // the series the labels came from, or null when computed
  double value;
};
using Vector = std::vector<Sample>;

// A 64-bit hash of the sample's labels that `include(name)` accepts. Like Prometheus
// (HashForLabels, HashWithoutLabels), matching and grouping compare these hashes without comparing
// the labels. Series-backed samples combine the history's precomputed per-label hashes.
template <class Include>
uint64_t HashLabels(const Sample& s, Include include) {
  const std::vector<uint64_t>* hashes = nullptr;
  if (s.series != nullptr) {
    hashes = s.labels == &s.series->labels ? &s.series->label_hashes
                                           : &s.series->label_hashes_without_name;
  }
  uint64_t hash = 0x84222325cbf29ce4ULL;
  size_t i = 0;
  for (const auto& label : *s.labels) {
    if (include(label.name)) {
      const uint64_t h = hashes != nullptr ? (*hashes)[i] : LabelHash(label.name, label.value);
      hash = (hash ^ h) * 0x9e3779b97f4a7c15ULL;
    }
    ++i;
  }
  return hash;
}

struct InstantValue {
  bool is_scalar = false;
  double scalar = 0;
  Vector vector;
};

// One series' samples inside a range selector's window (staleness markers removed).
struct RangeSeries {
  const HistorySeries* series;
  std::span<const HistoryPoint> points;  // into the history, or into `owned` when filtered
  std::vector<HistoryPoint> owned;
};

struct Context {
  const SeriesHistory& history;
  SelectionCache* cache;  // may be null
  int64_t now_ms;
  LabelArena arena;  // label sets computed during this evaluation (stable addresses)

  const Labels* Own(Labels labels) { return arena.Add(std::move(labels)); }
};

InstantValue EvalNode(const Expr& e, Context& ctx);
// The history's series `selector` matches (through ctx.cache when there is one).
std::vector<const HistorySeries*> MatchSeries(const Expr& selector, const SeriesHistory& history);
Vector SelectInstant(const Expr& selector, Context& ctx, std::vector<int64_t>* timestamps);
std::vector<RangeSeries> SelectRange(const Expr& selector, Context& ctx);

InstantValue EvalBinary(const Expr& e, const InstantValue& lhs, const InstantValue& rhs,
                        Context& ctx);
// Which labels form an aggregation's group key: by(...) lists them; without(...) drops them and
// the name.
class GroupKey {
 public:
  GroupKey(bool grouping_given, bool without, const std::vector<std::string>& names)
      : grouping_given_(grouping_given), without_(without), listed_(names) {}

  bool Includes(std::string_view name) const {
    if (!grouping_given_) return false;
    return without_ ? (name != kMetricName && !listed_.Contains(name)) : listed_.Contains(name);
  }

  // Samples with equal hashes share a group (Prometheus groups by a 64-bit key too).
  uint64_t Hash(const Sample& sample) const {
    return HashLabels(sample, [this](std::string_view name) { return Includes(name); });
  }

 private:
  bool grouping_given_;
  bool without_;
  NameList listed_;
};

Vector EvalAggregate(const Expr& e, const Vector& input, Context& ctx);
// topk and bottomk: per group the k largest (smallest) samples with all their labels, chosen with
// the same binary heap as Prometheus 2.42 so ties resolve the same way for the same input order.
Vector EvalTopK(const Expr& e, const Vector& input, Context& ctx);
InstantValue EvalCall(const Expr& e, Context& ctx);

// Functions kept in their own translation units, one concept each: per-sample math
// (promql_math.cpp), calendar fields (promql_time_of_day.cpp), classic-bucket quantiles
// (promql_histogram.cpp).
InstantValue EvalMathCall(const Expr& e, Context& ctx);
InstantValue EvalTimeOfDay(const Expr& e, Context& ctx);
InstantValue EvalHistogramQuantile(const Expr& e, Context& ctx);
InstantValue EvalLabelFunction(const Expr& e, Context& ctx);  // promql_label_functions.cpp

// The range functions beyond rate and friends (promql_over_time.cpp): sum_, count_, quantile_,
// stddev_, stdvar_, present_over_time, resets, deriv and predict_linear. `param` is the scalar
// argument (the quantile, or predict_linear's seconds); `eval_ms` the evaluation time, which
// predict_linear uses as its intercept even under an offset, as Prometheus does.
std::optional<double> RangeStatistic(Function f, std::span<const HistoryPoint> points, double param,
                                     int64_t eval_ms);

// holt_winters (double exponential smoothing) as Prometheus 2.42; throws EvalError for a
// smoothing or trend factor outside (0, 1), as Prometheus fails the query.
std::optional<double> HoltWinters(std::span<const HistoryPoint> points, double smoothing,
                                  double trend);

// Prometheus's quantile(): NaNs sort first; a rank between two values interpolates linearly;
// q outside [0, 1] gives ∓Inf. Shared by quantile_over_time and the quantile aggregation.
double Quantile(double q, std::vector<double> values);

// Prometheus's kahanSumInc (Neumaier's improvement): returns the new sum, updates `c`.
inline double KahanSumInc(double inc, double sum, double& c) {
  const double t = sum + inc;
  if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  return t;
}

// The sample's labels without __name__, reusing the history's precomputed set when it can.
Sample DropName(const Sample& s, Context& ctx);
// Throws EvalError("vector cannot contain metrics with the same labelset") on duplicates.
void CheckNoDuplicateLabelsets(const Vector& v);

// Maps each sample through `fn`, dropping the metric name (Prometheus's simpleFunc).
template <class Fn>
Vector MapSamples(Vector in, Fn fn, Context& ctx) {
  for (auto& s : in) {
    s = DropName(s, ctx);
    s.value = fn(s.value);
  }
  CheckNoDuplicateLabelsets(in);
  return in;
}

// Go's math.Max / math.Min (NaN and signed-zero handling differ from std::fmax/fmin).
double GoMax(double a, double b);
double GoMin(double a, double b);

}  // namespace opswatch::promql::internal
