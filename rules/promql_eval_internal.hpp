// Pieces of the evaluator shared between its translation units. Not part of the public API.
//
// Samples borrow their label sets (from the history, or from the evaluation's arena) instead of
// copying them: a round of 1,000 rules over 10,000 series would otherwise spend most of its time
// in malloc. Labels are copied once, into the public Value, at the end.
#pragma once

#include <deque>
#include <span>
#include <string>
#include <vector>

#include "rules/promql_eval.hpp"

namespace opswatch::promql::internal {

inline constexpr std::string_view kMetricName = "__name__";

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
  int64_t now_ms;
  std::deque<Labels> arena;  // label sets computed during this evaluation (stable addresses)

  const Labels* Own(Labels labels) {
    arena.push_back(std::move(labels));
    return &arena.back();
  }
};

InstantValue EvalNode(const Expr& e, Context& ctx);
Vector SelectInstant(const Expr& selector, Context& ctx, std::vector<int64_t>* timestamps);
std::vector<RangeSeries> SelectRange(const Expr& selector, Context& ctx);

InstantValue EvalBinary(const Expr& e, const InstantValue& lhs, const InstantValue& rhs,
                        Context& ctx);
Vector EvalAggregate(const Expr& e, const Vector& input, Context& ctx);
InstantValue EvalCall(const Expr& e, Context& ctx);

// The sample's labels without __name__, reusing the history's precomputed set when it can.
Sample DropName(const Sample& s, Context& ctx);
// Throws EvalError("vector cannot contain metrics with the same labelset") on duplicates.
void CheckNoDuplicateLabelsets(const Vector& v);

// Go's math.Max / math.Min (NaN and signed-zero handling differ from std::fmax/fmin).
double GoMax(double a, double b);
double GoMin(double a, double b);

}  // namespace opswatch::promql::internal
