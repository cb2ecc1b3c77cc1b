// The subset's functions, following Prometheus 2.42's promql/functions.go.
#include <algorithm>
#include <cmath>
#include <optional>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

// extrapolatedRate: counter resets, extrapolation to the range boundaries, the 1.1x rule and
// the zero-point clamp for counters.
std::optional<double> ExtrapolatedRate(std::span<const HistoryPoint> points, int64_t now_ms,
                                       int64_t range_ms, bool is_counter, bool is_rate) {
  if (points.size() < 2) return std::nullopt;
  const int64_t range_start = now_ms - range_ms;
  const int64_t range_end = now_ms;
  double result = points.back().value - points.front().value;
  if (is_counter) {
    double prev = points.front().value;
    for (size_t i = 1; i < points.size(); ++i) {
      if (points[i].value < prev) result += prev;
      prev = points[i].value;
    }
  }
  double duration_to_start = static_cast<double>(points.front().t_ms - range_start) / 1000;
  const double duration_to_end = static_cast<double>(range_end - points.back().t_ms) / 1000;
  const double sampled_interval =
      static_cast<double>(points.back().t_ms - points.front().t_ms) / 1000;
  const double average_between = sampled_interval / static_cast<double>(points.size() - 1);
  if (is_counter && result > 0 && points.front().value >= 0) {
    const double duration_to_zero = sampled_interval * (points.front().value / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  const double threshold = average_between * 1.1;
  double extrapolate_to = sampled_interval;
  extrapolate_to += duration_to_start < threshold ? duration_to_start : average_between / 2;
  extrapolate_to += duration_to_end < threshold ? duration_to_end : average_between / 2;
  double factor = extrapolate_to / sampled_interval;
  if (is_rate) factor /= static_cast<double>(range_ms) / 1000;
  return result * factor;
}

// irate and idelta: the last two points; irate treats a drop as a counter reset.
std::optional<double> InstantValue2(std::span<const HistoryPoint> points, bool is_rate) {
  if (points.size() < 2) return std::nullopt;
  const HistoryPoint& last = points[points.size() - 1];
  const HistoryPoint& previous = points[points.size() - 2];
  double result = last.value - previous.value;
  if (is_rate && last.value < previous.value) result = last.value;
  const int64_t interval = last.t_ms - previous.t_ms;
  if (interval == 0) return std::nullopt;
  return is_rate ? result / (static_cast<double>(interval) / 1000) : result;
}

double AvgOverTime(std::span<const HistoryPoint> points) {
  // Incremental mean with Kahan compensation, as Prometheus 2.42's avg_over_time.
  double mean = 0, count = 0, c = 0;
  for (const auto& p : points) {
    count++;
    if (std::isinf(mean)) {
      if (std::isinf(p.value) && (mean > 0) == (p.value > 0)) continue;
      if (!std::isinf(p.value) && !std::isnan(p.value)) continue;
    }
    const double inc = p.value / count - mean / count;
    const double t = mean + inc;
    if (std::fabs(mean) >= std::fabs(inc)) {
      c += (mean - t) + inc;
    } else {
      c += (inc - t) + mean;
    }
    mean = t;
  }
  if (std::isinf(mean)) return mean;
  return mean + c;
}

std::optional<double> OverTime(Function f, std::span<const HistoryPoint> points, int64_t now_ms,
                               int64_t range_ms, double param, int64_t eval_ms) {
  switch (f) {
    case Function::kRate:
      return ExtrapolatedRate(points, now_ms, range_ms, true, true);
    case Function::kIncrease:
      return ExtrapolatedRate(points, now_ms, range_ms, true, false);
    case Function::kDelta:
      return ExtrapolatedRate(points, now_ms, range_ms, false, false);
    case Function::kIrate:
      return InstantValue2(points, /*is_rate=*/true);
    case Function::kIdelta:
      return InstantValue2(points, /*is_rate=*/false);
    case Function::kAvgOverTime:
      return AvgOverTime(points);
    case Function::kMinOverTime: {
      double v = points.front().value;
      for (const auto& p : points) {
        if (p.value < v || std::isnan(v)) v = p.value;
      }
      return v;
    }
    case Function::kMaxOverTime: {
      double v = points.front().value;
      for (const auto& p : points) {
        if (p.value > v || std::isnan(v)) v = p.value;
      }
      return v;
    }
    case Function::kLastOverTime:
      return points.back().value;
    case Function::kChanges: {
      double changes = 0;
      double prev = points.front().value;
      for (size_t i = 1; i < points.size(); ++i) {
        const double cur = points[i].value;
        if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) changes++;
        prev = cur;
      }
      return changes;
    }
    case Function::kAbsentOverTime:
      return 1.0;
    default:
      return RangeStatistic(f, points, param, eval_ms);
  }
}

// Labels for absent()/absent_over_time(): the equality matchers of a direct selector argument,
// minus any label named by another matcher (createLabelsForAbsentFunction).
Labels AbsentLabels(const Expr& arg) {
  Labels out;
  if (arg.kind != ExprKind::kVectorSelector && arg.kind != ExprKind::kMatrixSelector) return out;
  std::vector<std::string> remove;
  for (const Matcher& m : arg.matchers) {
    if (m.name == kMetricName) continue;
    if (m.op == Matcher::Op::kEqual && !out.Has(m.name)) {
      out.Set(m.name, m.value);
    } else {
      remove.push_back(m.name);
    }
  }
  for (const auto& name : remove) out.Remove(name);
  return out;
}

Vector RangeFunction(const Expr& e, Context& ctx) {
  // quantile_over_time takes its scalar first; predict_linear after the range.
  const bool scalar_first = e.function == Function::kQuantileOverTime;
  const Expr& selector = *e.args[scalar_first ? 1 : 0];
  double param = 0;
  if (e.args.size() > 1) param = EvalNode(*e.args[scalar_first ? 0 : 1], ctx).scalar;
  const double trend = e.function == Function::kHoltWinters ? EvalNode(*e.args[2], ctx).scalar : 0;
  Vector out;
  const std::vector<RangeSeries> ranges = SelectRange(selector, ctx);
  out.reserve(ranges.size());
  for (const RangeSeries& range : ranges) {
    auto v = e.function == Function::kHoltWinters
                 ? HoltWinters(range.points, param, trend)
                 : OverTime(e.function, range.points, ctx.now_ms - selector.offset.count(),
                            selector.range.count(), param, ctx.now_ms);
    if (!v) continue;
    // last_over_time acts like an offset and keeps the name; the others drop it.
    const Labels* labels = e.function == Function::kLastOverTime
                               ? &range.series->labels
                               : &range.series->labels_without_name;
    out.push_back(Sample{labels, range.series, *v});
  }
  CheckNoDuplicateLabelsets(out);
  if (e.function == Function::kAbsentOverTime) {
    if (!out.empty()) return {};
    return Vector{Sample{ctx.Own(AbsentLabels(selector)), nullptr, 1}};
  }
  return out;
}

Vector MapValues(Vector in, double (*fn)(double, double), double arg, Context& ctx) {
  for (auto& s : in) {
    s = DropName(s, ctx);
    s.value = fn(s.value, arg);
  }
  CheckNoDuplicateLabelsets(in);
  return in;
}

// One function per call below: EvalCall sits on the evaluator's recursion, once per nesting
// level, so it keeps no locals of its own (see kMaxExprDepth).
InstantValue Absent(const Expr& e, Context& ctx) {
  InstantValue out;
  const InstantValue arg = EvalNode(*e.args[0], ctx);
  if (arg.vector.empty()) {
    out.vector.push_back(Sample{ctx.Own(AbsentLabels(*e.args[0])), nullptr, 1});
  }
  return out;
}

InstantValue Pi() {
  InstantValue out;
  out.is_scalar = true;
  out.scalar = M_PI;
  return out;
}

// sort and sort_desc keep every label; NaN goes last either way (Prometheus sorts descending
// with NaN first, then reverses for sort).
InstantValue Sort(const Expr& e, Context& ctx) {
  InstantValue out = EvalNode(*e.args[0], ctx);
  const bool ascending = e.function == Function::kSort;
  std::stable_sort(out.vector.begin(), out.vector.end(),
                   [ascending](const Sample& a, const Sample& b) {
                     if (std::isnan(a.value) || std::isnan(b.value))
                       return !std::isnan(a.value) && std::isnan(b.value);
                     return ascending ? a.value < b.value : a.value > b.value;
                   });
  return out;
}

InstantValue Time(Context& ctx) {
  InstantValue out;
  out.is_scalar = true;
  out.scalar = static_cast<double>(ctx.now_ms) / 1000;
  return out;
}

InstantValue Timestamp(const Expr& e, Context& ctx) {
  InstantValue out;
  // A direct selector (parentheses unwrapped) reports each sample's own timestamp; any other
  // argument was computed at `now`.
  const Expr* arg = e.args[0].get();
  while (arg->kind == ExprKind::kParen) arg = arg->lhs.get();
  if (arg->kind == ExprKind::kVectorSelector) {
    std::vector<int64_t> timestamps;
    out.vector = SelectInstant(*arg, ctx, &timestamps);
    for (size_t i = 0; i < out.vector.size(); ++i) {
      out.vector[i] = DropName(out.vector[i], ctx);
      out.vector[i].value = static_cast<double>(timestamps[i]) / 1000;
    }
  } else {
    out.vector = EvalNode(*arg, ctx).vector;
    for (auto& s : out.vector) {
      s = DropName(s, ctx);
      s.value = static_cast<double>(ctx.now_ms) / 1000;
    }
  }
  CheckNoDuplicateLabelsets(out.vector);
  return out;
}

InstantValue Abs(const Expr& e, Context& ctx) {
  InstantValue out;
  out.vector = MapValues(
      EvalNode(*e.args[0], ctx).vector, [](double v, double) { return std::fabs(v); }, 0, ctx);
  return out;
}

InstantValue Clamp(const Expr& e, Context& ctx) {
  InstantValue out;
  Vector in = EvalNode(*e.args[0], ctx).vector;
  const double bound = EvalNode(*e.args[1], ctx).scalar;
  out.vector = e.function == Function::kClampMin
                   ? MapValues(
                         std::move(in), [](double v, double b) { return GoMax(b, v); }, bound, ctx)
                   : MapValues(
                         std::move(in), [](double v, double b) { return GoMin(b, v); }, bound, ctx);
  return out;
}

InstantValue VectorOf(const Expr& e, Context& ctx) {
  InstantValue out;
  out.vector.push_back(Sample{ctx.Own(Labels()), nullptr, EvalNode(*e.args[0], ctx).scalar});
  return out;
}

InstantValue ScalarOf(const Expr& e, Context& ctx) {
  InstantValue out;
  const InstantValue arg = EvalNode(*e.args[0], ctx);
  out.is_scalar = true;
  out.scalar = arg.vector.size() == 1 ? arg.vector[0].value : std::nan("");
  return out;
}

InstantValue OverRange(const Expr& e, Context& ctx) {
  InstantValue out;
  out.vector = RangeFunction(e, ctx);
  return out;
}

[[noreturn]] void FailUnsupported(const Expr& e) {
  throw EvalError{"unsupported function " + std::string(FunctionName(e.function))};
}

}  // namespace

InstantValue EvalCall(const Expr& e, Context& ctx) {
  switch (e.function) {
    case Function::kRate:
    case Function::kIncrease:
    case Function::kDelta:
    case Function::kIrate:
    case Function::kAvgOverTime:
    case Function::kMinOverTime:
    case Function::kMaxOverTime:
    case Function::kLastOverTime:
    case Function::kChanges:
    case Function::kAbsentOverTime:
      return OverRange(e, ctx);
    case Function::kAbsent:
      return Absent(e, ctx);
    case Function::kTime:
      return Time(ctx);
    case Function::kTimestamp:
      return Timestamp(e, ctx);
    case Function::kAbs:
      return Abs(e, ctx);
    case Function::kClampMin:
    case Function::kClampMax:
      return Clamp(e, ctx);
    case Function::kVector:
      return VectorOf(e, ctx);
    case Function::kScalar:
      return ScalarOf(e, ctx);
    case Function::kDeriv:
    case Function::kPredictLinear:
    case Function::kSumOverTime:
    case Function::kCountOverTime:
    case Function::kQuantileOverTime:
    case Function::kStddevOverTime:
    case Function::kStdvarOverTime:
    case Function::kPresentOverTime:
    case Function::kResets:
    case Function::kIdelta:
    case Function::kHoltWinters:
      return OverRange(e, ctx);
    case Function::kSort:
    case Function::kSortDesc:
      return Sort(e, ctx);
    case Function::kPi:
      return Pi();
    case Function::kHistogramQuantile:
      return EvalHistogramQuantile(e, ctx);
    case Function::kLabelReplace:
    case Function::kLabelJoin:
      return EvalLabelFunction(e, ctx);
    case Function::kRound:
    case Function::kFloor:
    case Function::kCeil:
    case Function::kSqrt:
    case Function::kExp:
    case Function::kLn:
    case Function::kLog2:
    case Function::kLog10:
    case Function::kSgn:
    case Function::kClamp:
    case Function::kSin:
    case Function::kCos:
    case Function::kTan:
    case Function::kAsin:
    case Function::kAcos:
    case Function::kAtan:
    case Function::kSinh:
    case Function::kCosh:
    case Function::kTanh:
    case Function::kAsinh:
    case Function::kAcosh:
    case Function::kAtanh:
    case Function::kDeg:
    case Function::kRad:
      return EvalMathCall(e, ctx);
    case Function::kDayOfMonth:
    case Function::kDayOfWeek:
    case Function::kDaysInMonth:
    case Function::kHour:
    case Function::kMinute:
    case Function::kMonth:
    case Function::kYear:
      return EvalTimeOfDay(e, ctx);
  }
  FailUnsupported(e);
}

}  // namespace opswatch::promql::internal
