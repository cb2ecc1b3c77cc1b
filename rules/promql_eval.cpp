#include "rules/promql_eval.hpp"

#include <algorithm>
#include <cmath>

#include "rules/promql_eval_internal.hpp"

namespace opswatch::promql {
namespace internal {
namespace {

// The by-name index when the name is fixed; every series otherwise.
std::span<const HistorySeries* const> Candidates(const Expr& selector, const Context& ctx,
                                                 size_t& first_matcher) {
  first_matcher = 0;
  if (!selector.matchers.empty() && selector.matchers[0].name == kMetricName &&
      selector.matchers[0].op == Matcher::Op::kEqual) {
    first_matcher = 1;  // the index already applied it
    return ctx.history.SeriesNamed(selector.matchers[0].value);
  }
  for (const Matcher& m : selector.matchers) {
    if (m.name == kMetricName && m.op == Matcher::Op::kEqual) {
      return ctx.history.SeriesNamed(m.value);
    }
  }
  return ctx.history.AllSeries();
}

bool SeriesMatches(const Expr& selector, size_t first_matcher, const Labels& labels) {
  for (size_t i = first_matcher; i < selector.matchers.size(); ++i) {
    const Matcher& m = selector.matchers[i];
    if (!m.Matches(labels.Get(m.name))) return false;
  }
  return true;
}

uint64_t FingerprintOf(const Sample& s) {
  if (s.series != nullptr && s.labels == &s.series->labels_without_name) {
    return s.series->fingerprint_without_name;
  }
  return s.labels->Fingerprint();
}

}  // namespace

Sample DropName(const Sample& s, Context& ctx) {
  if (s.series != nullptr && s.labels == &s.series->labels) {
    return Sample{&s.series->labels_without_name, s.series, s.value};
  }
  if (!s.labels->Has(kMetricName)) return s;
  Labels copy = *s.labels;
  copy.Remove(kMetricName);
  return Sample{ctx.Own(std::move(copy)), nullptr, s.value};
}

Vector SelectInstant(const Expr& selector, Context& ctx, std::vector<int64_t>* timestamps) {
  Vector out;
  const int64_t oldest = ctx.now_ms - kLookbackDelta.count();
  size_t first_matcher = 0;
  for (const HistorySeries* s : Candidates(selector, ctx, first_matcher)) {
    if (!SeriesMatches(selector, first_matcher, s->labels)) continue;
    const auto points = s->live();
    // Latest sample at or before now; Prometheus's lookback includes its left boundary (2.x).
    auto it = std::upper_bound(points.begin(), points.end(), ctx.now_ms,
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
  const int64_t mint = ctx.now_ms - selector.range.count();
  size_t first_matcher = 0;
  for (const HistorySeries* s : Candidates(selector, ctx, first_matcher)) {
    if (!SeriesMatches(selector, first_matcher, s->labels)) continue;
    const auto points = s->live();
    auto first = std::lower_bound(points.begin(), points.end(), mint,
                                  [](const HistoryPoint& p, int64_t t) { return p.t_ms < t; });
    auto last = std::upper_bound(first, points.end(), ctx.now_ms,
                                 [](int64_t t, const HistoryPoint& p) { return t < p.t_ms; });
    if (first == last) continue;
    RangeSeries r;
    r.series = s;
    r.points = points.subspan(static_cast<size_t>(first - points.begin()),
                              static_cast<size_t>(last - first));
    const bool has_stale = std::any_of(r.points.begin(), r.points.end(), [](const HistoryPoint& p) {
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
  const bool all_selected = std::all_of(v.begin(), v.end(), [](const Sample& s) {
    return s.series != nullptr && s.labels == &s.series->labels;
  });
  if (all_selected) {
    // Distinct series have distinct full label sets; only the same series twice can clash.
    std::vector<const HistorySeries*> series;
    series.reserve(v.size());
    for (const auto& s : v) series.push_back(s.series);
    std::sort(series.begin(), series.end());
    if (std::adjacent_find(series.begin(), series.end()) == series.end()) return;
    throw EvalError{"vector cannot contain metrics with the same labelset"};
  }
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

InstantValue EvalNode(const Expr& e, Context& ctx) {
  InstantValue out;
  switch (e.kind) {
    case ExprKind::kNumber:
      out.is_scalar = true;
      out.scalar = e.number;
      return out;
    case ExprKind::kVectorSelector:
      out.vector = SelectInstant(e, ctx, nullptr);
      return out;
    case ExprKind::kParen:
      return EvalNode(*e.lhs, ctx);
    case ExprKind::kUnary: {
      out = EvalNode(*e.lhs, ctx);
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
    case ExprKind::kBinary: {
      const InstantValue lhs = EvalNode(*e.lhs, ctx);
      const InstantValue rhs = EvalNode(*e.rhs, ctx);
      return EvalBinary(e, lhs, rhs, ctx);
    }
    case ExprKind::kAggregate: {
      const InstantValue input = EvalNode(*e.lhs, ctx);
      out.vector = EvalAggregate(e, input.vector, ctx);
      return out;
    }
    case ExprKind::kCall:
      return EvalCall(e, ctx);
    case ExprKind::kString:
    case ExprKind::kMatrixSelector:
      break;
  }
  throw EvalError{"cannot evaluate " + Format(e) + " as an instant value"};
}

}  // namespace internal

Result<Value> Evaluate(const Expr& expr, const SeriesHistory& history, SystemTime now) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  internal::Context ctx{history, now_ms, {}};
  try {
    internal::InstantValue result = internal::EvalNode(expr, ctx);
    Value out;
    out.kind = result.is_scalar ? Value::Kind::kScalar : Value::Kind::kVector;
    out.scalar = result.scalar;
    out.vector.reserve(result.vector.size());
    for (const auto& s : result.vector) out.vector.push_back(VectorSample{*s.labels, s.value});
    return out;
  } catch (const internal::EvalError& e) {
    return Result<Value>::Error(e.message);
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: never escape Evaluate
    return Result<Value>::Error(std::string("evaluation failed: ") + e.what());
  }
}

}  // namespace opswatch::promql
