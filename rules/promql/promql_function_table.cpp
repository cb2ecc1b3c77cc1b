// The function table, with Prometheus 2.42's argument types and arities.
#include "rules/promql/promql_function_table.hpp"

namespace opswatch::promql {
namespace {

const std::vector<FunctionSpec>& Functions() {
  using V = ValueType;
  static const std::vector<FunctionSpec> kSpecs = {
      {"rate", Function::kRate, {V::kMatrix}, V::kVector},
      {"increase", Function::kIncrease, {V::kMatrix}, V::kVector},
      {"delta", Function::kDelta, {V::kMatrix}, V::kVector},
      {"irate", Function::kIrate, {V::kMatrix}, V::kVector},
      {"avg_over_time", Function::kAvgOverTime, {V::kMatrix}, V::kVector},
      {"min_over_time", Function::kMinOverTime, {V::kMatrix}, V::kVector},
      {"max_over_time", Function::kMaxOverTime, {V::kMatrix}, V::kVector},
      {"last_over_time", Function::kLastOverTime, {V::kMatrix}, V::kVector},
      {"changes", Function::kChanges, {V::kMatrix}, V::kVector},
      {"absent", Function::kAbsent, {V::kVector}, V::kVector},
      {"absent_over_time", Function::kAbsentOverTime, {V::kMatrix}, V::kVector},
      {"time", Function::kTime, {}, V::kScalar},
      {"timestamp", Function::kTimestamp, {V::kVector}, V::kVector},
      {"abs", Function::kAbs, {V::kVector}, V::kVector},
      {"clamp_min", Function::kClampMin, {V::kVector, V::kScalar}, V::kVector},
      {"clamp_max", Function::kClampMax, {V::kVector, V::kScalar}, V::kVector},
      {"vector", Function::kVector, {V::kScalar}, V::kVector},
      {"scalar", Function::kScalar, {V::kVector}, V::kScalar},
      {"histogram_quantile", Function::kHistogramQuantile, {V::kScalar, V::kVector}, V::kVector},
      {"deriv", Function::kDeriv, {V::kMatrix}, V::kVector},
      {"predict_linear", Function::kPredictLinear, {V::kMatrix, V::kScalar}, V::kVector},
      {"round", Function::kRound, {V::kVector, V::kScalar}, V::kVector, 1},
      {"floor", Function::kFloor, {V::kVector}, V::kVector},
      {"ceil", Function::kCeil, {V::kVector}, V::kVector},
      {"sqrt", Function::kSqrt, {V::kVector}, V::kVector},
      {"exp", Function::kExp, {V::kVector}, V::kVector},
      {"ln", Function::kLn, {V::kVector}, V::kVector},
      {"log2", Function::kLog2, {V::kVector}, V::kVector},
      {"log10", Function::kLog10, {V::kVector}, V::kVector},
      {"sgn", Function::kSgn, {V::kVector}, V::kVector},
      {"clamp", Function::kClamp, {V::kVector, V::kScalar, V::kScalar}, V::kVector},
      {"day_of_month", Function::kDayOfMonth, {V::kVector}, V::kVector, 1},
      {"day_of_week", Function::kDayOfWeek, {V::kVector}, V::kVector, 1},
      {"days_in_month", Function::kDaysInMonth, {V::kVector}, V::kVector, 1},
      {"hour", Function::kHour, {V::kVector}, V::kVector, 1},
      {"minute", Function::kMinute, {V::kVector}, V::kVector, 1},
      {"month", Function::kMonth, {V::kVector}, V::kVector, 1},
      {"year", Function::kYear, {V::kVector}, V::kVector, 1},
      {"sum_over_time", Function::kSumOverTime, {V::kMatrix}, V::kVector},
      {"count_over_time", Function::kCountOverTime, {V::kMatrix}, V::kVector},
      {"quantile_over_time", Function::kQuantileOverTime, {V::kScalar, V::kMatrix}, V::kVector},
      {"stddev_over_time", Function::kStddevOverTime, {V::kMatrix}, V::kVector},
      {"stdvar_over_time", Function::kStdvarOverTime, {V::kMatrix}, V::kVector},
      {"present_over_time", Function::kPresentOverTime, {V::kMatrix}, V::kVector},
      {"resets", Function::kResets, {V::kMatrix}, V::kVector},
      {"label_replace",
       Function::kLabelReplace,
       {V::kVector, V::kString, V::kString, V::kString, V::kString},
       V::kVector},
      {"label_join",
       Function::kLabelJoin,
       {V::kVector, V::kString, V::kString, V::kString},
       V::kVector,
       -1},
      {"idelta", Function::kIdelta, {V::kMatrix}, V::kVector},
      {"holt_winters", Function::kHoltWinters, {V::kMatrix, V::kScalar, V::kScalar}, V::kVector},
      {"sort", Function::kSort, {V::kVector}, V::kVector},
      {"sort_desc", Function::kSortDesc, {V::kVector}, V::kVector},
      {"sin", Function::kSin, {V::kVector}, V::kVector},
      {"cos", Function::kCos, {V::kVector}, V::kVector},
      {"tan", Function::kTan, {V::kVector}, V::kVector},
      {"asin", Function::kAsin, {V::kVector}, V::kVector},
      {"acos", Function::kAcos, {V::kVector}, V::kVector},
      {"atan", Function::kAtan, {V::kVector}, V::kVector},
      {"sinh", Function::kSinh, {V::kVector}, V::kVector},
      {"cosh", Function::kCosh, {V::kVector}, V::kVector},
      {"tanh", Function::kTanh, {V::kVector}, V::kVector},
      {"asinh", Function::kAsinh, {V::kVector}, V::kVector},
      {"acosh", Function::kAcosh, {V::kVector}, V::kVector},
      {"atanh", Function::kAtanh, {V::kVector}, V::kVector},
      {"deg", Function::kDeg, {V::kVector}, V::kVector},
      {"rad", Function::kRad, {V::kVector}, V::kVector},
      {"pi", Function::kPi, {}, V::kScalar},
  };
  return kSpecs;
}

}  // namespace

const FunctionSpec* FindFunction(std::string_view name) {
  for (const auto& spec : Functions()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string_view FunctionName(Function f) {
  for (const auto& spec : Functions()) {
    if (spec.function == f) return spec.name;
  }
  return "unknown";
}

}  // namespace opswatch::promql
