// Evaluates a parsed PromQL-subset expression over a SeriesHistory at one instant, with
// Prometheus 2.x semantics (5m lookback, staleness markers, inclusive range boundaries, name
// dropping, extrapolated rates, duplicate-labelset errors).
// Thread-safety: Evaluate is a pure function of its arguments; it only reads `history`.
#pragma once

#include <vector>

#include "core/clock.hpp"
#include "core/labels.hpp"
#include "core/status.hpp"
#include "rules/promql_ast.hpp"
#include "rules/series_history.hpp"

namespace opswatch::promql {

struct VectorSample {
  Labels labels;  // includes __name__ when the sample has one
  double value = 0;
};

struct Value {
  enum class Kind { kScalar, kVector } kind = Kind::kVector;
  double scalar = 0;
  std::vector<VectorSample> vector;
};

Result<Value> Evaluate(const Expr& expr, const SeriesHistory& history, SystemTime now);

}  // namespace opswatch::promql
