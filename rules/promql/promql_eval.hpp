// Evaluates a parsed PromQL-subset expression over a SeriesHistory at one instant, with
// Prometheus 2.x semantics (5m lookback, staleness markers, inclusive range boundaries, name
// dropping, extrapolated rates, duplicate-labelset errors).
// Thread-safety: Evaluate is a pure function of its arguments; it only reads `history`.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/labels.hpp"
#include "core/status.hpp"
#include "rules/promql/promql_ast.hpp"
#include "rules/promql/series_history.hpp"

namespace opswatch::promql {

struct VectorSample {
  const Labels* labels = nullptr;  // includes __name__ when the sample has one; see Value
  double value = 0;
};

// Label sets computed during an evaluation, at stable addresses. Allocates nothing until the
// first one: most rule evaluations compute none, and a round has a thousand of them.
class LabelArena {
 public:
  const Labels* Add(Labels labels) {
    if (!sets_) sets_ = std::make_unique<std::deque<Labels>>();
    sets_->push_back(std::move(labels));
    return &sets_->back();
  }

 private:
  std::unique_ptr<std::deque<Labels>> sets_;
};

// A result borrows its label sets instead of copying one per sample (a round of 1,000 rules can
// yield tens of thousands): from the history, valid until its next Append, or from `arena`,
// owned here. The arena keeps element addresses when it moves, and Value is move-only so a copy
// can never point into another value's arena.
struct Value {
  enum class Kind { kScalar, kVector } kind = Kind::kVector;
  double scalar = 0;
  std::vector<VectorSample> vector;
  LabelArena arena;

  Value() = default;
  Value(Value&&) = default;
  Value& operator=(Value&&) = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;

  // A scalar as one sample without labels (Prometheus's EngineQueryFunc for rules).
  void ScalarToVector();
};

// The series each selector matches, remembered across evaluations while the history's set of
// series stays the same (SeriesHistory::generation). Label matchers, RE2 ones included, then run
// once per selector and change of series instead of once per rule per round, the way a TSDB's
// postings index spares Prometheus the scan. One cache per history; not thread-safe.
class SelectionCache {
 public:
  // The series `selector` (a vector or matrix selector) matches, in history order. Valid until
  // the history or this cache changes.
  std::span<const HistorySeries* const> Matching(const Expr& selector,
                                                 const SeriesHistory& history);
  size_t size() const { return by_selector_.size(); }

 private:
  // Selectors of rules that were reloaded away are dropped with the next change of series;
  // this bound keeps a cache from growing without one.
  static constexpr size_t kMaxSelectors = 100000;
  uint64_t generation_ = UINT64_MAX;
  std::unordered_map<std::string, std::vector<const HistorySeries*>> by_selector_;
};

// `cache` may be null (every selector then scans the history).
Result<Value> Evaluate(const Expr& expr, const SeriesHistory& history, SystemTime now,
                       SelectionCache* cache = nullptr);

}  // namespace opswatch::promql
