// Binary operators with Prometheus's matching, filtering and metric-name rules
// (promql/engine.go: VectorBinop, VectorscalarBinop, VectorAnd/Or/Unless, resultMetric).
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "rules/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

struct ElemResult {
  double value;
  bool keep;
};

// vectorElemBinop / scalarBinop.
ElemResult Apply(BinaryOp op, double l, double r) {
  switch (op) {
    case BinaryOp::kAdd:
      return {l + r, true};
    case BinaryOp::kSub:
      return {l - r, true};
    case BinaryOp::kMul:
      return {l * r, true};
    case BinaryOp::kDiv:
      return {l / r, true};
    case BinaryOp::kPow:
      return {std::pow(l, r), true};
    case BinaryOp::kMod:
      return {std::fmod(l, r), true};
    case BinaryOp::kEql:
      return {l, l == r};
    case BinaryOp::kNeq:
      return {l, l != r};
    case BinaryOp::kGtr:
      return {l, l > r};
    case BinaryOp::kLss:
      return {l, l < r};
    case BinaryOp::kGte:
      return {l, l >= r};
    case BinaryOp::kLte:
      return {l, l <= r};
    default:
      break;
  }
  throw EvalError{"operator " + std::string(BinaryOpText(op)) + " not allowed here"};
}

bool DropsMetricName(BinaryOp op) { return !IsComparison(op) && !IsSetOperator(op); }

// The matching signature of a sample's labels: on(...) keeps only the listed labels; otherwise
// every label but __name__ and the ignored ones.
std::string Signature(const Expr& e, const Labels& labels) {
  std::string sig;
  auto listed = [&](std::string_view name) {
    for (const auto& l : e.matching_labels) {
      if (l == name) return true;
    }
    return false;
  };
  for (const auto& label : labels) {
    const bool include =
        e.matching_on ? listed(label.name) : (label.name != kMetricName && !listed(label.name));
    if (!include) continue;
    sig += label.name;
    sig += '\xff';
    sig += label.value;
    sig += '\xff';
  }
  return sig;
}

// The labels a signature is built from, for error messages (Labels.MatchLabels).
Labels MatchGroup(const Expr& e, const Labels& labels) {
  Labels out;
  for (const auto& label : labels) {
    bool listed = false;
    for (const auto& name : e.matching_labels) listed = listed || name == label.name;
    if (e.matching_on ? listed : (!listed && label.name != kMetricName)) {
      out.Set(label.name, label.value);
    }
  }
  return out;
}

Labels ResultMetric(const Expr& e, const Labels& lhs) {
  Labels out = lhs;
  if (DropsMetricName(e.op)) out.Remove(kMetricName);
  if (e.matching_on) {
    Labels kept;
    for (const auto& label : out) {
      for (const auto& name : e.matching_labels) {
        if (label.name == name) kept.Set(label.name, label.value);
      }
    }
    out = std::move(kept);
  } else {
    for (const auto& name : e.matching_labels) out.Remove(name);
  }
  return out;
}

Vector SetOperation(const Expr& e, const Vector& lhs, const Vector& rhs) {
  switch (e.op) {
    case BinaryOp::kAnd: {
      if (lhs.empty() || rhs.empty()) return {};
      std::unordered_set<std::string> right;
      for (const auto& s : rhs) right.insert(Signature(e, s.labels));
      Vector out;
      for (const auto& s : lhs) {
        if (right.count(Signature(e, s.labels)) > 0) out.push_back(s);
      }
      return out;
    }
    case BinaryOp::kOr: {
      if (lhs.empty()) return rhs;
      if (rhs.empty()) return lhs;
      std::unordered_set<std::string> left;
      Vector out = lhs;
      for (const auto& s : lhs) left.insert(Signature(e, s.labels));
      for (const auto& s : rhs) {
        if (left.count(Signature(e, s.labels)) == 0) out.push_back(s);
      }
      return out;
    }
    case BinaryOp::kUnless: {
      if (lhs.empty() || rhs.empty()) return lhs;
      std::unordered_set<std::string> right;
      for (const auto& s : rhs) right.insert(Signature(e, s.labels));
      Vector out;
      for (const auto& s : lhs) {
        if (right.count(Signature(e, s.labels)) == 0) out.push_back(s);
      }
      return out;
    }
    default:
      return {};
  }
}

Vector VectorVector(const Expr& e, const Vector& lhs, const Vector& rhs) {
  if (IsSetOperator(e.op)) return SetOperation(e, lhs, rhs);
  if (lhs.empty() || rhs.empty()) return {};
  std::unordered_map<std::string, const VectorSample*> right;
  right.reserve(rhs.size());
  for (const auto& s : rhs) {
    auto [it, inserted] = right.emplace(Signature(e, s.labels), &s);
    if (!inserted) {
      throw EvalError{"found duplicate series for the match group " +
                      MatchGroup(e, s.labels).ToString() +
                      " on the right hand-side of the operation: [" + s.labels.ToString() + ", " +
                      it->second->labels.ToString() +
                      "];many-to-many matching not allowed: matching labels must be unique on one "
                      "side"};
    }
  }
  Vector out;
  std::unordered_set<std::string> matched;
  for (const auto& l : lhs) {
    std::string sig = Signature(e, l.labels);
    auto it = right.find(sig);
    if (it == right.end()) continue;
    ElemResult r = Apply(e.op, l.value, it->second->value);
    if (e.return_bool) {
      r.value = r.keep ? 1 : 0;
    } else if (!r.keep) {
      continue;
    }
    Labels metric = ResultMetric(e, l.labels);
    if (e.return_bool) metric.Remove(kMetricName);
    if (!matched.insert(std::move(sig)).second) {
      throw EvalError{
          "multiple matches for labels: many-to-one matching must be explicit "
          "(group_left/group_right)"};
    }
    out.push_back(VectorSample{std::move(metric), r.value});
  }
  return out;
}

Vector VectorScalar(const Expr& e, const Vector& vec, double scalar, bool scalar_on_left) {
  Vector out;
  out.reserve(vec.size());
  for (const auto& s : vec) {
    const double l = scalar_on_left ? scalar : s.value;
    const double r = scalar_on_left ? s.value : scalar;
    ElemResult res = Apply(e.op, l, r);
    // A comparison keeps the vector element's value even when the scalar is on the left.
    if (IsComparison(e.op) && scalar_on_left) res.value = s.value;
    if (e.return_bool) {
      res.value = res.keep ? 1 : 0;
    } else if (!res.keep) {
      continue;
    }
    VectorSample sample{s.labels, res.value};
    if (DropsMetricName(e.op) || e.return_bool) sample.labels.Remove(kMetricName);
    out.push_back(std::move(sample));
  }
  return out;
}

}  // namespace

Value EvalBinary(const Expr& e, const Value& lhs, const Value& rhs) {
  Value out;
  const bool l_scalar = lhs.kind == Value::Kind::kScalar;
  const bool r_scalar = rhs.kind == Value::Kind::kScalar;
  if (l_scalar && r_scalar) {
    out.kind = Value::Kind::kScalar;
    ElemResult r = Apply(e.op, lhs.scalar, rhs.scalar);
    out.scalar = IsComparison(e.op) ? (r.keep ? 1 : 0) : r.value;
    return out;
  }
  if (!l_scalar && !r_scalar) {
    out.vector = VectorVector(e, lhs.vector, rhs.vector);
  } else if (l_scalar) {
    out.vector = VectorScalar(e, rhs.vector, lhs.scalar, true);
  } else {
    out.vector = VectorScalar(e, lhs.vector, rhs.scalar, false);
  }
  CheckNoDuplicateLabelsets(out.vector);
  return out;
}

}  // namespace opswatch::promql::internal
