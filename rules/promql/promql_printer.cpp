// Canonical PromQL text for a parsed tree, and the static facts about it the rule engine needs.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "core/units.hpp"
#include "rules/promql/promql_ast.hpp"
#include "rules/promql/promql_lexer.hpp"

namespace opswatch::promql {
namespace {

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return std::to_string(v);
  return std::string(buf, end);
}

std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out = "(";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i];
  }
  return out + ")";
}

std::string_view MatcherOpText(Matcher::Op op) {
  switch (op) {
    case Matcher::Op::kEqual:
      return "=";
    case Matcher::Op::kNotEqual:
      return "!=";
    case Matcher::Op::kRegex:
      return "=~";
    case Matcher::Op::kNotRegex:
      return "!~";
  }
  return "=";
}

std::string FormatSelector(const Expr& e) {
  std::string out = e.metric_name;
  std::string inner;
  for (size_t i = e.metric_name.empty() ? 0 : 1; i < e.matchers.size(); ++i) {
    const Matcher& m = e.matchers[i];
    if (!inner.empty()) inner += ", ";
    inner += m.name + std::string(MatcherOpText(m.op)) + QuoteString(m.value);
  }
  if (!inner.empty() || e.metric_name.empty()) out += "{" + inner + "}";
  if (e.kind == ExprKind::kMatrixSelector) {
    out += '[';
    out += FormatDuration(e.range);
    out += ']';
  }
  if (e.offset.count() > 0) out += " offset " + FormatDuration(e.offset);
  if (e.offset.count() < 0) out += " offset -" + FormatDuration(-e.offset);
  return out;
}

// Appends rather than `"(" + s + ")"`, which trips GCC 12's -Wrestrict false positive at -O3.
std::string Parenthesised(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '(';
  out += text;
  out += ')';
  return out;
}

// Operands of a binary expression get parentheses when the tree's shape would otherwise not
// survive a re-parse (only needed for trees not built by Parse, which keeps kParen nodes).
std::string FormatOperand(const Expr& child, const Expr& parent, bool right) {
  std::string text = Format(child);
  if (child.kind != ExprKind::kBinary) return text;
  const int cp = BinaryPrecedence(child.op);
  const int pp = BinaryPrecedence(parent.op);
  const bool right_assoc = parent.op == BinaryOp::kPow;
  const bool needs = cp < pp || (cp == pp && (right ? !right_assoc : right_assoc));
  return needs ? Parenthesised(text) : text;
}

}  // namespace

int BinaryPrecedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return 1;
    case BinaryOp::kAnd:
    case BinaryOp::kUnless:
      return 2;
    case BinaryOp::kEql:
    case BinaryOp::kNeq:
    case BinaryOp::kGtr:
    case BinaryOp::kLss:
    case BinaryOp::kGte:
    case BinaryOp::kLte:
      return 3;
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
      return 4;
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
      return 5;
    case BinaryOp::kPow:
      return 6;
  }
  return 0;
}

bool IsComparison(BinaryOp op) { return BinaryPrecedence(op) == 3; }
bool IsSetOperator(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless;
}

std::string_view BinaryOpText(BinaryOp op) {
  static constexpr std::string_view kText[] = {
      "+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless"};
  return kText[static_cast<int>(op)];
}

std::string_view AggregateOpText(AggregateOp op) {
  static constexpr std::string_view kText[] = {"sum",      "min",          "max",    "avg",
                                               "count",    "stddev",       "stdvar", "group",
                                               "quantile", "count_values", "topk",   "bottomk"};
  return kText[static_cast<int>(op)];
}

namespace {

// One function per kind of node: Format sits on the printer's recursion, once per nesting level,
// so it keeps no locals of its own (see kMaxExprDepth).
std::string FormatUnary(const Expr& e) {
  std::string operand = Format(*e.lhs);
  if (e.lhs->kind == ExprKind::kBinary && e.lhs->op != BinaryOp::kPow)
    operand = Parenthesised(operand);
  return std::string(e.op == BinaryOp::kSub ? "-" : "+") + operand;
}

// " > bool on(a) ": the operator with its modifiers.
void AppendOperator(const Expr& e, std::string& out) {
  out += ' ';
  out += BinaryOpText(e.op);
  if (e.return_bool) out += " bool";
  if (e.matching_given) {
    out += e.matching_on ? " on" : " ignoring";
    out += JoinLabels(e.matching_labels);
  }
  if (e.group != Expr::Group::kNone) {
    out += e.group == Expr::Group::kLeft ? " group_left" : " group_right";
    if (!e.include_labels.empty()) out += JoinLabels(e.include_labels);
  }
  out += ' ';
}

std::string FormatBinary(const Expr& e) {
  std::string out = FormatOperand(*e.lhs, e, false);
  AppendOperator(e, out);
  out += FormatOperand(*e.rhs, e, true);
  return out;
}

std::string FormatAggregate(const Expr& e) {
  std::string out(AggregateOpText(e.aggregate));
  if (e.grouping_given)
    out += std::string(e.without ? " without " : " by ") + JoinLabels(e.grouping);
  if (e.rhs) return out + " (" + Format(*e.rhs) + ", " + Format(*e.lhs) + ")";
  return out + " (" + Format(*e.lhs) + ")";
}

std::string FormatCall(const Expr& e) {
  std::string out = std::string(FunctionName(e.function)) + "(";
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (i > 0) out += ", ";
    out += Format(*e.args[i]);
  }
  return out + ")";
}

}  // namespace

std::string Format(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumber:
      return FormatNumber(e.number);
    case ExprKind::kString:
      return QuoteString(e.string);
    case ExprKind::kVectorSelector:
    case ExprKind::kMatrixSelector:
      return FormatSelector(e);
    case ExprKind::kParen:
      return Parenthesised(Format(*e.lhs));
    case ExprKind::kUnary:
      return FormatUnary(e);
    case ExprKind::kBinary:
      return FormatBinary(e);
    case ExprKind::kAggregate:
      return FormatAggregate(e);
    case ExprKind::kCall:
      return FormatCall(e);
  }
  return "";
}

std::chrono::milliseconds MaxRange(const Expr& e) {
  std::chrono::milliseconds longest{0};
  auto consider = [&](const ExprPtr& child) {
    if (child) longest = std::max(longest, MaxRange(*child));
  };
  switch (e.kind) {
    // A positive offset reaches that much further back; a negative one reads nothing older.
    case ExprKind::kVectorSelector:
      return kLookbackDelta + std::max(e.offset, std::chrono::milliseconds(0));
    case ExprKind::kMatrixSelector:
      return std::max(e.range, std::chrono::milliseconds(0)) +
             std::max(e.offset, std::chrono::milliseconds(0));
    default:
      break;
  }
  consider(e.lhs);
  consider(e.rhs);
  for (const auto& arg : e.args) consider(arg);
  return longest;
}

}  // namespace opswatch::promql
