// Per-sample math, rounding and trigonometric functions, as Prometheus 2.42's simpleFunc family:
// each drops the metric name and maps the value. Go's math package and glibc may differ in the
// last bit for the trigonometric ones (the compatibility test compares those within 1e-12).
#include <cmath>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

// Go's math.Log2 splits off the exponent so exact powers of two give exact integers.
double GoLog2(double v) {
  int exponent = 0;
  const double fraction = std::frexp(v, &exponent);
  if (fraction == 0.5) return exponent - 1;
  return std::log(fraction) * (1 / M_LN2) + exponent;
}

double Sign(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;  // 0, -0 and NaN stay as they are
}

Vector Round(const Expr& e, Vector in, Context& ctx) {
  const double to_nearest = e.args.size() > 1 ? EvalNode(*e.args[1], ctx).scalar : 1;
  // Prometheus multiplies by the inverse: it gives fewer representation surprises than dividing.
  const double inverse = 1.0 / to_nearest;
  // Ties round up (towards +Inf), not away from zero.
  return MapSamples(
      std::move(in), [inverse](double v) { return std::floor(v * inverse + 0.5) / inverse; }, ctx);
}

Vector Clamp(const Expr& e, Vector in, Context& ctx) {
  const double lo = EvalNode(*e.args[1], ctx).scalar;
  const double hi = EvalNode(*e.args[2], ctx).scalar;
  if (hi < lo) return {};  // an empty range yields nothing, not an error
  return MapSamples(
      std::move(in), [lo, hi](double v) { return GoMax(lo, GoMin(hi, v)); }, ctx);
}

double (*SimpleFunction(Function f))(double) {
  switch (f) {
    case Function::kFloor:
      return [](double v) { return std::floor(v); };
    case Function::kCeil:
      return [](double v) { return std::ceil(v); };
    case Function::kSqrt:
      return [](double v) { return std::sqrt(v); };
    case Function::kExp:
      return [](double v) { return std::exp(v); };
    case Function::kLn:
      return [](double v) { return std::log(v); };
    case Function::kLog2:
      return GoLog2;
    case Function::kLog10:
      return [](double v) { return std::log10(v); };
    case Function::kSgn:
      return Sign;
    case Function::kSin:
      return [](double v) { return std::sin(v); };
    case Function::kCos:
      return [](double v) { return std::cos(v); };
    case Function::kTan:
      return [](double v) { return std::tan(v); };
    case Function::kAsin:
      return [](double v) { return std::asin(v); };
    case Function::kAcos:
      return [](double v) { return std::acos(v); };
    case Function::kAtan:
      return [](double v) { return std::atan(v); };
    case Function::kSinh:
      return [](double v) { return std::sinh(v); };
    case Function::kCosh:
      return [](double v) { return std::cosh(v); };
    case Function::kTanh:
      return [](double v) { return std::tanh(v); };
    case Function::kAsinh:
      return [](double v) { return std::asinh(v); };
    case Function::kAcosh:
      return [](double v) { return std::acosh(v); };
    case Function::kAtanh:
      return [](double v) { return std::atanh(v); };
    case Function::kDeg:
      return [](double v) { return v * 180 / M_PI; };
    case Function::kRad:
      return [](double v) { return v * M_PI / 180; };
    default:
      return nullptr;
  }
}

}  // namespace

InstantValue EvalMathCall(const Expr& e, Context& ctx) {
  InstantValue out;
  Vector in = EvalNode(*e.args[0], ctx).vector;
  if (e.function == Function::kRound) {
    out.vector = Round(e, std::move(in), ctx);
  } else if (e.function == Function::kClamp) {
    out.vector = Clamp(e, std::move(in), ctx);
  } else if (auto fn = SimpleFunction(e.function)) {
    out.vector = MapSamples(std::move(in), fn, ctx);
  } else {
    throw EvalError{"unsupported function " + std::string(FunctionName(e.function))};
  }
  return out;
}

}  // namespace opswatch::promql::internal
