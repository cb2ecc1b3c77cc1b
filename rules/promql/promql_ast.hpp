// The PromQL-subset syntax tree, and the entry points that build and print it.
// Nodes are immutable once Parse returns them and may be shared across threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"

namespace re2 {
class RE2;
}

namespace opswatch::promql {

enum class ValueType { kScalar, kVector, kMatrix, kString };

enum class ExprKind {
  kNumber,
  kString,
  kVectorSelector,
  kMatrixSelector,
  kParen,
  kUnary,
  kBinary,
  kAggregate,
  kCall,
};

// Ordered as in Prometheus's grammar; see BinaryPrecedence().
enum class BinaryOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEql,
  kNeq,
  kGtr,
  kLss,
  kGte,
  kLte,
  kAnd,
  kOr,
  kUnless,
};

enum class AggregateOp {
  kSum,
  kMin,
  kMax,
  kAvg,
  kCount,
  kStddev,
  kStdvar,
  kGroup,
  kQuantile,     // parameter: the quantile (scalar), in `rhs`
  kCountValues,  // parameter: the value label's name (string), in `rhs`
  kTopk,         // parameter: k (scalar), in `rhs`
  kBottomk,      // parameter: k (scalar), in `rhs`
};

enum class Function {
  kRate,
  kIncrease,
  kDelta,
  kIrate,
  kAvgOverTime,
  kMinOverTime,
  kMaxOverTime,
  kLastOverTime,
  kChanges,
  kAbsent,
  kAbsentOverTime,
  kTime,
  kTimestamp,
  kAbs,
  kClampMin,
  kClampMax,
  kVector,
  kScalar,
  kHistogramQuantile,
  kDeriv,
  kPredictLinear,
  kRound,
  kFloor,
  kCeil,
  kSqrt,
  kExp,
  kLn,
  kLog2,
  kLog10,
  kSgn,
  kClamp,
  kDayOfMonth,
  kDayOfWeek,
  kDaysInMonth,
  kHour,
  kMinute,
  kMonth,
  kYear,
  kSumOverTime,
  kCountOverTime,
  kQuantileOverTime,
  kStddevOverTime,
  kStdvarOverTime,
  kPresentOverTime,
  kResets,
  kLabelReplace,
  kLabelJoin,
  kIdelta,
  kHoltWinters,
  kSort,
  kSortDesc,
  kSin,
  kCos,
  kTan,
  kAsin,
  kAcos,
  kAtan,
  kSinh,
  kCosh,
  kTanh,
  kAsinh,
  kAcosh,
  kAtanh,
  kDeg,
  kRad,
  kPi,
};

struct Matcher {
  enum class Op { kEqual, kNotEqual, kRegex, kNotRegex };
  Op op = Op::kEqual;
  std::string name;
  std::string value;
  std::shared_ptr<const re2::RE2> regex;  // fully anchored; set for kRegex/kNotRegex
  bool Matches(std::string_view label_value) const;
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

// The deepest syntax tree Parse accepts: parentheses, unary operators, function calls,
// aggregations and each binary operator of a chain (`a or b or c` is two levels) count one level.
// Evaluation, Format, MaxRange and the parser itself recurse once per level, so this bounds their
// stack use; an expression at the limit parses, evaluates and prints on a 1 MiB thread stack
// under AddressSanitizer (tests/unit/promql_depth_test.cpp). Prometheus has no limit; this one
// is far above what rules written by hand or generated for one service need.
inline constexpr int kMaxExprDepth = 256;

struct Expr {
  Expr() = default;
  Expr(const Expr&) = default;
  Expr& operator=(const Expr&) = default;
  // Frees the subtrees it owns alone from a work list rather than recursively, so the stack use
  // of dropping a tree does not grow with its depth.
  ~Expr();

  ExprKind kind = ExprKind::kNumber;
  int column = 1;  // 1-based position in the source text, for error messages
  int depth = 1;   // levels in this subtree (1 for a leaf); Parse keeps it <= kMaxExprDepth

  double number = 0;   // kNumber
  std::string string;  // kString

  // kVectorSelector / kMatrixSelector. `metric_name` is the bare name written before `{`; its
  // equality matcher is also in `matchers` (first) so evaluation looks at one list.
  std::string metric_name;
  std::vector<Matcher> matchers;
  std::chrono::milliseconds range{0};  // kMatrixSelector
  // `offset`: the selector reads as of now - offset (negative looks ahead, as in Prometheus).
  std::chrono::milliseconds offset{0};
  bool offset_given = false;
  std::string selector_key;  // canonical text of the matchers (SelectionCache key)

  // kParen / kUnary (operand in lhs; unary op is kAdd or kSub) / kBinary / kAggregate (operand
  // in lhs, parameter of quantile/count_values in rhs) / kCall
  ExprPtr lhs;
  ExprPtr rhs;
  BinaryOp op = BinaryOp::kAdd;
  bool return_bool = false;
  bool matching_given = false;  // on(...) or ignoring(...) was written
  bool matching_on = false;     // on(...) rather than ignoring(...)
  std::vector<std::string> matching_labels;
  // group_left / group_right: many-to-one (one-to-many) matching; `include_labels` are copied
  // from the "one" side into each result.
  enum class Group { kNone, kLeft, kRight } group = Group::kNone;
  std::vector<std::string> include_labels;

  AggregateOp aggregate = AggregateOp::kSum;
  bool grouping_given = false;  // by(...) or without(...) was written
  bool without = false;
  std::vector<std::string> grouping;

  Function function = Function::kTime;
  std::vector<ExprPtr> args;

  ValueType type = ValueType::kScalar;  // static type, set by the parser
};

// Error text: "<line>:<col>: <problem>" naming the construct; a tree deeper than kMaxExprDepth
// is rejected where the limit is crossed, before the rest of it is built.
Result<ExprPtr> Parse(std::string_view text);
// Canonical PromQL text; Parse(Format(e)) yields an equivalent tree.
std::string Format(const Expr& expr);
// The longest range or lookback (5m for instant selectors) evaluating `expr` reads.
std::chrono::milliseconds MaxRange(const Expr& expr);

// Prometheus's default lookback delta for instant vector selectors.
inline constexpr std::chrono::milliseconds kLookbackDelta = std::chrono::minutes(5);

// Higher binds tighter: or=1, and/unless=2, comparisons=3, + -=4, * / %=5, ^=6.
int BinaryPrecedence(BinaryOp op);
bool IsComparison(BinaryOp op);
bool IsSetOperator(BinaryOp op);
std::string_view BinaryOpText(BinaryOp op);
std::string_view AggregateOpText(AggregateOp op);
std::string_view FunctionName(Function f);

}  // namespace opswatch::promql
