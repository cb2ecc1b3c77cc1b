#include "rules/promql/promql_eval.hpp"

#include <algorithm>
#include <cmath>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql {
namespace internal {
namespace {

// The by-name index when the name is fixed; every series otherwise.
std::span<const HistorySeries* const> Candidates(const Expr& selector, const SeriesHistory& history,
                                                 size_t& first_matcher) {
  first_matcher = 0;
  if (!selector.matchers.empty() && selector.matchers[0].name == kMetricName &&
      selector.matchers[0].op == Matcher::Op::kEqual) {
    first_matcher = 1;  // the index already applied it
    return history.SeriesNamed(selector.matchers[0].value);
  }
  for (const Matcher& m : selector.matchers) {
    if (m.name == kMetricName && m.op == Matcher::Op::kEqual) {
      return history.SeriesNamed(m.value);
    }
  }
  return history.AllSeries();
}

bool SeriesMatches(const Expr& selector, size_t first_matcher, const Labels& labels) {
  for (size_t i = first_matcher; i < selector.matchers.size(); ++i) {
    const Matcher& m = selector.matchers[i];
    if (!m.Matches(labels.Get(m.name))) return false;
  }
  return true;
}

// The selector's series, with the matchers applied; borrows the history's index when the name
// matcher is the only one.
std::span<const HistorySeries* const> Selected(const Expr& selector, Context& ctx,
                                               std::vector<const HistorySeries*>& scratch) {
  if (ctx.cache != nullptr && !selector.selector_key.empty()) {
    return ctx.cache->Matching(selector, ctx.history);
  }
  size_t first_matcher = 0;
  auto candidates = Candidates(selector, ctx.history, first_matcher);
  if (first_matcher == selector.matchers.size()) return candidates;
  scratch = MatchSeries(selector, ctx.history);
  return scratch;
}

uint64_t FingerprintOf(const Sample& s) {
  if (s.series != nullptr && s.labels == &s.series->labels_without_name) {
    return s.series->fingerprint_without_name;
  }
  return s.labels->Fingerprint();
}

}  // namespace

std::vector<const HistorySeries*> MatchSeries(const Expr& selector, const SeriesHistory& history) {
  std::vector<const HistorySeries*> out;
  size_t first_matcher = 0;
  for (const HistorySeries* s : Candidates(selector, history, first_matcher)) {
    if (SeriesMatches(selector, first_matcher, s->labels)) out.push_back(s);
  }
  return out;
}

Sample DropName(const Sample& s, Context& ctx) {
  if (s.series != nullptr && s.labels == &s.series->labels) {
    return Sample{&s.series->labels_without_name, s.series, s.value};
  }
  if (!s.labels->Has(kMetricName)) return s;
  return Sample{
      ctx.Own(s.labels->Filtered([](const Label& label) { return label.name != kMetricName; })),
      nullptr, s.value};
}

Vector SelectInstant(const Expr& selector, Context& ctx, std::vector<int64_t>* timestamps) {
  Vector out;
  const int64_t at_ms = ctx.now_ms - selector.offset.count();
  const int64_t oldest = at_ms - kLookbackDelta.count();
  std::vector<const HistorySeries*> scratch;
  const auto selected = Selected(selector, ctx, scratch);
  out.reserve(selected.size());
  for (const HistorySeries* s : selected) {
    const auto points = s->live();
    // Latest sample at or before now; Prometheus's lookback includes its left boundary (2.x).
    // Rules evaluate at the newest samples, so the last one is the usual answer.
    auto it = !points.empty() && points.back().t_ms <= at_ms
                  ? points.end()
                  : std::upper_bound(points.begin(), points.end(), at_ms,
                                     [](int64_t t, const HistoryPoint& p) { return t < p.t_ms; });
    if (it == points.begin()) continue;
    const HistoryPoint& p = *std::prev(it);
    if (p.t_ms < oldest || IsStaleMarker(p.value)) continue;
    out.push_back(Sample{&s->labels, s, p.value});
    if (timestamps != nullptr) timestamps->push_back(p.t_ms);
  }
  return out;
}

std::vector<RangeSeries> SelectRange(const Expr& selector, Context& ctx) {
  std::vector<RangeSeries> out;
  const int64_t at_ms = ctx.now_ms - selector.offset.count();
  const int64_t mint = at_ms - selector.range.count();
  std::vector<const HistorySeries*> scratch;
  const auto selected = Selected(selector, ctx, scratch);
  out.reserve(selected.size());
  for (const HistorySeries* s : selected) {
    const auto points = s->live();
    auto first = std::lower_bound(points.begin(), points.end(), mint,
                                  [](const HistoryPoint& p, int64_t t) { return p.t_ms < t; });
    auto last = !points.empty() && points.back().t_ms <= at_ms
                    ? points.end()
                    : std::upper_bound(first, points.end(), at_ms,
                                       [](int64_t t, const HistoryPoint& p) { return t < p.t_ms; });
    if (first == last) continue;
    RangeSeries r;
    r.series = s;
    r.points = points.subspan(static_cast<size_t>(first - points.begin()),
                              static_cast<size_t>(last - first));
    const bool has_stale = s->stale_markers > 0 &&
                           std::any_of(r.points.begin(), r.points.end(), [](const HistoryPoint& p) {
                             return IsStaleMarker(p.value);
                           });
    if (has_stale) {
      for (const auto& p : r.points) {
        if (!IsStaleMarker(p.value)) r.owned.push_back(p);
      }
      if (r.owned.empty()) continue;
      out.push_back(std::move(r));
      out.back().points = out.back().owned;
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

void CheckNoDuplicateLabelsets(const Vector& v) {
  if (v.size() < 2) return;
  // A vector never holds one series twice (selectors yield each once and every operation maps or
  // filters them), and distinct series differ in their full labels. So samples still backed by a
  // series can only clash once their names are dropped, and only across different names.
  const HistorySeries* first_nameless = nullptr;
  bool only_distinct = true;
  for (const auto& s : v) {
    if (s.series == nullptr) {
      only_distinct = false;
      break;
    }
    if (s.labels != &s.series->labels_without_name) continue;
    if (first_nameless == nullptr) {
      first_nameless = s.series;
    } else if (s.series->name_id != first_nameless->name_id) {
      only_distinct = false;
      break;
    }
  }
  if (only_distinct) return;
  std::vector<std::pair<uint64_t, const Labels*>> keys;
  keys.reserve(v.size());
  for (const auto& s : v) keys.emplace_back(FingerprintOf(s), s.labels);
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = i + 1; j < keys.size() && keys[j].first == keys[i].first; ++j) {
      if (*keys[i].second == *keys[j].second) {
        throw EvalError{"vector cannot contain metrics with the same labelset"};
      }
    }
  }
}

double GoMax(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  if (a == 0 && b == 0) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

double GoMin(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  if (a == 0 && b == 0) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

namespace {

// One function per kind of node: EvalNode sits on the evaluator's recursion, once per nesting
// level, so it keeps no locals of its own (see kMaxExprDepth).
InstantValue Number(const Expr& e) {
  InstantValue out;
  out.is_scalar = true;
  out.scalar = e.number;
  return out;
}

InstantValue Selector(const Expr& e, Context& ctx) {
  InstantValue out;
  out.vector = SelectInstant(e, ctx, nullptr);
  return out;
}

InstantValue Unary(const Expr& e, Context& ctx) {
  InstantValue out = EvalNode(*e.lhs, ctx);
  if (e.op == BinaryOp::kSub) {
    out.scalar = -out.scalar;
    for (auto& s : out.vector) {
      s = DropName(s, ctx);
      s.value = -s.value;
    }
    CheckNoDuplicateLabelsets(out.vector);
  }
  return out;
}

InstantValue Binary(const Expr& e, Context& ctx) {
  const InstantValue lhs = EvalNode(*e.lhs, ctx);
  const InstantValue rhs = EvalNode(*e.rhs, ctx);
  return EvalBinary(e, lhs, rhs, ctx);
}

InstantValue Aggregate(const Expr& e, Context& ctx) {
  InstantValue out;
  const InstantValue input = EvalNode(*e.lhs, ctx);
  out.vector = EvalAggregate(e, input.vector, ctx);
  return out;
}

[[noreturn]] void FailNotInstant(const Expr& e) {
  throw EvalError{"cannot evaluate " + Format(e) + " as an instant value"};
}

}  // namespace

InstantValue EvalNode(const Expr& e, Context& ctx) {
  switch (e.kind) {
    case ExprKind::kNumber:
      return Number(e);
    case ExprKind::kVectorSelector:
      return Selector(e, ctx);
    case ExprKind::kParen:
      return EvalNode(*e.lhs, ctx);
    case ExprKind::kUnary:
      return Unary(e, ctx);
    case ExprKind::kBinary:
      return Binary(e, ctx);
    case ExprKind::kAggregate:
      return Aggregate(e, ctx);
    case ExprKind::kCall:
      return EvalCall(e, ctx);
    case ExprKind::kString:
    case ExprKind::kMatrixSelector:
      break;
  }
  FailNotInstant(e);
}

}  // namespace internal

std::span<const HistorySeries* const> SelectionCache::Matching(const Expr& selector,
                                                               const SeriesHistory& history) {
  if (generation_ != history.generation() || by_selector_.size() >= kMaxSelectors) {
    by_selector_.clear();
    generation_ = history.generation();
  }
  auto it = by_selector_.find(selector.selector_key);
  if (it == by_selector_.end()) {
    it =
        by_selector_.emplace(selector.selector_key, internal::MatchSeries(selector, history)).first;
  }
  return it->second;
}

void Value::ScalarToVector() {
  if (kind != Kind::kScalar) return;
  vector = {VectorSample{arena.Add(Labels{}), scalar}};
  kind = Kind::kVector;
}

Result<Value> Evaluate(const Expr& expr, const SeriesHistory& history, SystemTime now,
                       SelectionCache* cache) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  internal::Context ctx{history, cache, now_ms, {}};
  try {
    internal::InstantValue result = internal::EvalNode(expr, ctx);
    Value out;
    out.kind = result.is_scalar ? Value::Kind::kScalar : Value::Kind::kVector;
    out.scalar = result.scalar;
    out.vector.reserve(result.vector.size());
    for (const auto& s : result.vector) out.vector.push_back(VectorSample{s.labels, s.value});
    out.arena = std::move(ctx.arena);  // the samples' computed labels move with their addresses
    return out;
  } catch (const internal::EvalError& e) {
    return Result<Value>::Error(e.message);
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: never escape Evaluate
    return Result<Value>::Error(std::string("evaluation failed: ") + e.what());
  }
}

}  // namespace opswatch::promql
