// Range statistics beyond rate and friends, following Prometheus 2.42's functions.go: the
// Kahan-compensated sums and variance, the sorted-sample quantile, resets, and the least-squares
// line behind deriv and predict_linear.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

double SumOverTime(std::span<const HistoryPoint> points) {
  double sum = 0, c = 0;
  for (const auto& p : points) sum = KahanSumInc(p.value, sum, c);
  if (std::isinf(sum)) return sum;  // the compensation of an infinite sum is NaN
  return sum + c;
}

// Welford's running variance with both running values compensated (population variance).
double StdvarOverTime(std::span<const HistoryPoint> points) {
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (const auto& p : points) {
    count++;
    const double delta = p.value - (mean + c_mean);
    mean = KahanSumInc(delta / count, mean, c_mean);
    aux = KahanSumInc(delta * (p.value - (mean + c_mean)), aux, c_aux);
  }
  return (aux + c_aux) / count;
}

double QuantileOverTime(double q, std::span<const HistoryPoint> points) {
  std::vector<double> values;
  values.reserve(points.size());
  for (const auto& p : points) values.push_back(p.value);
  return Quantile(q, std::move(values));
}

double Resets(std::span<const HistoryPoint> points) {
  double resets = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    if (points[i].value < points[i - 1].value) resets++;
  }
  return resets;
}

struct Line {
  double slope;
  double intercept;  // the value at intercept_ms
};

// Least squares over (seconds since intercept_ms, value). Times are taken relative to a nearby
// instant because absolute epoch seconds squared lose the precision the slope needs. A constant
// series is flat at its value (NaN when that value is infinite) rather than 0/0.
Line LinearRegression(std::span<const HistoryPoint> points, int64_t intercept_ms) {
  double n = 0, sum_x = 0, c_x = 0, sum_y = 0, c_y = 0, sum_xy = 0, c_xy = 0, sum_x2 = 0, c_x2 = 0;
  const double first = points.front().value;
  bool constant = true;
  for (const auto& p : points) {
    if (p.value != first) constant = false;
    n += 1;
    const double x = static_cast<double>(p.t_ms - intercept_ms) / 1e3;
    sum_x = KahanSumInc(x, sum_x, c_x);
    sum_y = KahanSumInc(p.value, sum_y, c_y);
    sum_xy = KahanSumInc(x * p.value, sum_xy, c_xy);
    sum_x2 = KahanSumInc(x * x, sum_x2, c_x2);
  }
  if (constant) {
    if (std::isinf(first)) return {std::nan(""), std::nan("")};
    return {0, first};
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  const double slope = cov_xy / var_x;
  return {slope, sum_y / n - slope * sum_x / n};
}

}  // namespace

double Quantile(double q, std::vector<double> values) {
  if (values.empty()) return std::nan("");
  if (std::isnan(q)) return q;  // Prometheus indexes with int(NaN) here; NaN is the only answer
  if (q < 0) return -HUGE_VAL;
  if (q > 1) return HUGE_VAL;
  std::sort(values.begin(), values.end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  const double n = static_cast<double>(values.size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) +
         values[static_cast<size_t>(upper)] * weight;
}

std::optional<double> RangeStatistic(Function f, std::span<const HistoryPoint> points, double param,
                                     int64_t eval_ms) {
  switch (f) {
    case Function::kSumOverTime:
      return SumOverTime(points);
    case Function::kCountOverTime:
      return static_cast<double>(points.size());
    case Function::kPresentOverTime:
      return 1.0;
    case Function::kStdvarOverTime:
      return StdvarOverTime(points);
    case Function::kStddevOverTime:
      return std::sqrt(StdvarOverTime(points));
    case Function::kQuantileOverTime:
      return QuantileOverTime(param, points);
    case Function::kResets:
      return Resets(points);
    case Function::kDeriv:
      if (points.size() < 2) return std::nullopt;
      return LinearRegression(points, points.front().t_ms).slope;
    case Function::kPredictLinear: {
      if (points.size() < 2) return std::nullopt;
      const Line line = LinearRegression(points, eval_ms);
      return line.slope * param + line.intercept;
    }
    default:
      return std::nullopt;
  }
}

std::optional<double> HoltWinters(std::span<const HistoryPoint> points, double smoothing,
                                  double trend) {
  auto factor_error = [](const char* what, const char* symbol, double value) {
    char text[128];
    std::snprintf(text, sizeof text, "invalid %s factor. Expected: 0 < %s < 1, got: %f", what,
                  symbol, value);
    return EvalError{text};
  };
  if (smoothing <= 0 || smoothing >= 1) throw factor_error("smoothing", "sf", smoothing);
  if (trend <= 0 || trend >= 1) throw factor_error("trend", "tf", trend);
  if (points.size() < 2) return std::nullopt;
  double s0 = 0, s1 = points[0].value, b = points[1].value - points[0].value;
  for (size_t i = 1; i < points.size(); ++i) {
    const double x = smoothing * points[i].value;
    if (i > 1) b = trend * (s1 - s0) + (1 - trend) * b;  // calcTrendValue: the first trend is b
    const double y = (1 - smoothing) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

}  // namespace opswatch::promql::internal
