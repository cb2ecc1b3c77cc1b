// Pieces of the evaluator shared between its translation units. Not part of the public API.
#pragma once

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

using Vector = std::vector<VectorSample>;

// One series' samples inside a range selector's window (staleness markers removed).
struct RangeSeries {
  const Labels* labels;
  std::span<const HistoryPoint> points;  // into the history, or into `owned` when filtered
  std::vector<HistoryPoint> owned;
};

struct Context {
  const SeriesHistory& history;
  int64_t now_ms;
};

Value EvalNode(const Expr& e, const Context& ctx);
Vector SelectInstant(const Expr& selector, const Context& ctx, std::vector<int64_t>* timestamps);
std::vector<RangeSeries> SelectRange(const Expr& selector, const Context& ctx);

Value EvalBinary(const Expr& e, const Value& lhs, const Value& rhs);
Vector EvalAggregate(const Expr& e, const Vector& input);
Value EvalCall(const Expr& e, const Context& ctx);

// Throws EvalError("vector cannot contain metrics with the same labelset") on duplicates.
void CheckNoDuplicateLabelsets(const Vector& v);
Labels WithoutName(const Labels& labels);

// Go's math.Max / math.Min (NaN and signed-zero handling differ from std::fmax/fmin).
double GoMax(double a, double b);
double GoMin(double a, double b);

}  // namespace opswatch::promql::internal
