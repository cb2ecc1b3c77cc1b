#include "rules/promql_eval.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "rules/promql_eval_internal.hpp"

namespace opswatch::promql {
namespace internal {
namespace {

bool SeriesMatches(const Expr& selector, const Labels& labels) {
  for (const Matcher& m : selector.matchers) {
    if (!m.Matches(labels.Get(m.name))) return false;
  }
  return true;
}

// Iterates the series a selector can match, using the by-name index when the name is fixed.
template <typename Fn>
void ForEachCandidate(const Expr& selector, const Context& ctx, Fn&& fn) {
  std::string_view name;
  for (const Matcher& m : selector.matchers) {
    if (m.name == kMetricName && m.op == Matcher::Op::kEqual) name = m.value;
  }
  auto visit = [&](const HistorySeries& s) {
    if (SeriesMatches(selector, s.labels)) fn(s);
  };
  if (!name.empty()) {
    ctx.history.ForEachNamed(name, visit);
  } else {
    ctx.history.ForEach(visit);
  }
}

}  // namespace

Labels WithoutName(const Labels& labels) {
  Labels out = labels;
  out.Remove(kMetricName);
  return out;
}

Vector SelectInstant(const Expr& selector, const Context& ctx, std::vector<int64_t>* timestamps) {
  Vector out;
  const int64_t oldest = ctx.now_ms - kLookbackDelta.count();
  ForEachCandidate(selector, ctx, [&](const HistorySeries& s) {
    const auto points = s.live();
    // Latest sample at or before now; Prometheus's lookback includes its left boundary (2.x).
    auto it = std::upper_bound(points.begin(), points.end(), ctx.now_ms,
                               [](int64_t t, const HistoryPoint& p) { return t < p.t_ms; });
    if (it == points.begin()) return;
    const HistoryPoint& p = *std::prev(it);
    if (p.t_ms < oldest || IsStaleMarker(p.value)) return;
    out.push_back(VectorSample{s.labels, p.value});
    if (timestamps != nullptr) timestamps->push_back(p.t_ms);
  });
  return out;
}

std::vector<RangeSeries> SelectRange(const Expr& selector, const Context& ctx) {
  std::vector<RangeSeries> out;
  const int64_t mint = ctx.now_ms - selector.range.count();
  ForEachCandidate(selector, ctx, [&](const HistorySeries& s) {
    const auto points = s.live();
    auto first = std::lower_bound(points.begin(), points.end(), mint,
                                  [](const HistoryPoint& p, int64_t t) { return p.t_ms < t; });
    auto last = std::upper_bound(first, points.end(), ctx.now_ms,
                                 [](int64_t t, const HistoryPoint& p) { return t < p.t_ms; });
    if (first == last) return;
    RangeSeries r;
    r.labels = &s.labels;
    auto window = points.subspan(static_cast<size_t>(first - points.begin()),
                                 static_cast<size_t>(last - first));
    const bool has_stale = std::any_of(
        window.begin(), window.end(), [](const HistoryPoint& p) { return IsStaleMarker(p.value); });
    if (has_stale) {
      for (const auto& p : window) {
        if (!IsStaleMarker(p.value)) r.owned.push_back(p);
      }
      if (r.owned.empty()) return;
      out.push_back(std::move(r));
      out.back().points = out.back().owned;
      return;
    }
    r.points = window;
    out.push_back(std::move(r));
  });
  return out;
}

void CheckNoDuplicateLabelsets(const Vector& v) {
  if (v.size() < 2) return;
  std::unordered_multimap<uint64_t, const Labels*> seen;
  seen.reserve(v.size());
  for (const auto& sample : v) {
    const uint64_t fp = sample.labels.Fingerprint();
    auto [begin, end] = seen.equal_range(fp);
    for (auto it = begin; it != end; ++it) {
      if (*it->second == sample.labels) {
        throw EvalError{"vector cannot contain metrics with the same labelset"};
      }
    }
    seen.emplace(fp, &sample.labels);
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

Value EvalNode(const Expr& e, const Context& ctx) {
  Value out;
  switch (e.kind) {
    case ExprKind::kNumber:
      out.kind = Value::Kind::kScalar;
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
          s.value = -s.value;
          s.labels.Remove(kMetricName);
        }
        CheckNoDuplicateLabelsets(out.vector);
      }
      return out;
    }
    case ExprKind::kBinary: {
      const Value lhs = EvalNode(*e.lhs, ctx);
      const Value rhs = EvalNode(*e.rhs, ctx);
      return EvalBinary(e, lhs, rhs);
    }
    case ExprKind::kAggregate: {
      const Value input = EvalNode(*e.lhs, ctx);
      out.vector = EvalAggregate(e, input.vector);
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
  internal::Context ctx{history, now_ms};
  try {
    return internal::EvalNode(expr, ctx);
  } catch (const internal::EvalError& e) {
    return Result<Value>::Error(e.message);
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: never escape Evaluate
    return Result<Value>::Error(std::string("evaluation failed: ") + e.what());
  }
}

}  // namespace opswatch::promql
