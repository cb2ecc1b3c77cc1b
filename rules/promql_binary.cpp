// Binary operators with Prometheus's matching, filtering and metric-name rules
// (promql/engine.go: VectorBinop, VectorscalarBinop, VectorAnd/Or/Unless, resultMetric).
#include <algorithm>
#include <cmath>
#include <optional>

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

// Whether a label takes part in the matching signature: on(...) uses only the listed labels;
// otherwise every label but __name__ and the ignored ones.
bool InSignature(const Expr& e, std::string_view name) {
  bool listed = false;
  for (const auto& l : e.matching_labels) listed = listed || l == name;
  return e.matching_on ? listed : (!listed && name != kMetricName);
}

uint64_t SignatureHash(const Expr& e, const Labels& labels) {
  uint64_t hash = 14695981039346656037ULL;
  auto mix = [&hash](std::string_view s) {
    for (unsigned char c : s) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;
    hash *= 1099511628211ULL;
  };
  for (const auto& label : labels) {
    if (!InSignature(e, label.name)) continue;
    mix(label.name);
    mix(label.value);
  }
  return hash;
}

bool SameSignature(const Expr& e, const Labels& a, const Labels& b) {
  auto ia = a.begin(), ib = b.begin();
  for (;;) {
    while (ia != a.end() && !InSignature(e, ia->name)) ++ia;
    while (ib != b.end() && !InSignature(e, ib->name)) ++ib;
    if (ia == a.end() || ib == b.end()) return ia == a.end() && ib == b.end();
    if (*ia != *ib) return false;
    ++ia;
    ++ib;
  }
}

// The signatures of one side, sorted by hash for lookups without per-element allocation.
class SignatureIndex {
 public:
  SignatureIndex(const Expr& e, const Vector& v) : e_(e), v_(v) {
    keys_.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) keys_.emplace_back(SignatureHash(e, *v[i].labels), i);
    std::stable_sort(keys_.begin(), keys_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  // Index of a sample in `v` with the same signature as `labels`, or -1.
  long Find(const Labels& labels) const { return Find(labels, SignatureHash(e_, labels)); }
  long Find(const Labels& labels, uint64_t hash) const {
    auto it = std::lower_bound(keys_.begin(), keys_.end(), hash,
                               [](const auto& k, uint64_t h) { return k.first < h; });
    for (; it != keys_.end() && it->first == hash; ++it) {
      if (SameSignature(e_, *v_[it->second].labels, labels)) return static_cast<long>(it->second);
    }
    return -1;
  }
  // A pair (earlier, later) of samples sharing a signature, if any.
  std::optional<std::pair<size_t, size_t>> Duplicate() const {
    for (size_t i = 0; i < keys_.size(); ++i) {
      for (size_t j = i + 1; j < keys_.size() && keys_[j].first == keys_[i].first; ++j) {
        if (SameSignature(e_, *v_[keys_[i].second].labels, *v_[keys_[j].second].labels)) {
          return std::make_pair(keys_[i].second, keys_[j].second);
        }
      }
    }
    return std::nullopt;
  }

 private:
  const Expr& e_;
  const Vector& v_;
  std::vector<std::pair<uint64_t, size_t>> keys_;
};

// The labels a signature is built from, for error messages (Labels.MatchLabels).
Labels MatchGroup(const Expr& e, const Labels& labels) {
  Labels out;
  for (const auto& label : labels) {
    if (InSignature(e, label.name)) out.Set(label.name, label.value);
  }
  return out;
}

Sample ResultMetric(const Expr& e, const Sample& lhs, Context& ctx) {
  Sample out = DropsMetricName(e.op) || e.return_bool ? DropName(lhs, ctx) : lhs;
  if (!e.matching_given || (!e.matching_on && e.matching_labels.empty())) return out;
  // Copy once and erase in place: building label by label reallocates on every insert.
  Labels labels = *out.labels;
  for (const auto& label : *out.labels) {
    bool listed = false;
    for (const auto& name : e.matching_labels) listed = listed || name == label.name;
    if (listed != e.matching_on) labels.Remove(label.name);
  }
  return Sample{ctx.Own(std::move(labels)), nullptr, out.value};
}

Vector SetOperation(const Expr& e, const Vector& lhs, const Vector& rhs) {
  Vector out;
  switch (e.op) {
    case BinaryOp::kAnd: {
      if (lhs.empty() || rhs.empty()) return out;
      SignatureIndex right(e, rhs);
      for (const auto& s : lhs) {
        if (right.Find(*s.labels) >= 0) out.push_back(s);
      }
      return out;
    }
    case BinaryOp::kOr: {
      if (lhs.empty()) return rhs;
      if (rhs.empty()) return lhs;
      SignatureIndex left(e, lhs);
      out = lhs;
      for (const auto& s : rhs) {
        if (left.Find(*s.labels) < 0) out.push_back(s);
      }
      return out;
    }
    case BinaryOp::kUnless: {
      if (lhs.empty() || rhs.empty()) return lhs;
      SignatureIndex right(e, rhs);
      for (const auto& s : lhs) {
        if (right.Find(*s.labels) < 0) out.push_back(s);
      }
      return out;
    }
    default:
      return out;
  }
}

Vector VectorVector(const Expr& e, const Vector& lhs, const Vector& rhs, Context& ctx) {
  if (IsSetOperator(e.op)) return SetOperation(e, lhs, rhs);
  if (lhs.empty() || rhs.empty()) return {};
  SignatureIndex right(e, rhs);
  if (auto dup = right.Duplicate()) {
    const Labels& later = *rhs[dup->second].labels;
    throw EvalError{"found duplicate series for the match group " +
                    MatchGroup(e, later).ToString() +
                    " on the right hand-side of the operation: [" + later.ToString() + ", " +
                    rhs[dup->first].labels->ToString() +
                    "];many-to-many matching not allowed: matching labels must be unique on one "
                    "side"};
  }
  Vector out;
  std::vector<bool> matched(rhs.size(), false);
  for (const auto& l : lhs) {
    const long r = right.Find(*l.labels);
    if (r < 0) continue;
    ElemResult res = Apply(e.op, l.value, rhs[static_cast<size_t>(r)].value);
    if (e.return_bool) {
      res.value = res.keep ? 1 : 0;
    } else if (!res.keep) {
      continue;
    }
    if (matched[static_cast<size_t>(r)]) {
      throw EvalError{
          "multiple matches for labels: many-to-one matching must be explicit "
          "(group_left/group_right)"};
    }
    matched[static_cast<size_t>(r)] = true;
    Sample sample = ResultMetric(e, l, ctx);
    sample.value = res.value;
    out.push_back(sample);
  }
  return out;
}

Vector VectorScalar(const Expr& e, const Vector& vec, double scalar, bool scalar_on_left,
                    Context& ctx) {
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
    Sample sample = DropsMetricName(e.op) || e.return_bool ? DropName(s, ctx) : s;
    sample.value = res.value;
    out.push_back(sample);
  }
  return out;
}

}  // namespace

InstantValue EvalBinary(const Expr& e, const InstantValue& lhs, const InstantValue& rhs,
                        Context& ctx) {
  InstantValue out;
  if (lhs.is_scalar && rhs.is_scalar) {
    out.is_scalar = true;
    ElemResult r = Apply(e.op, lhs.scalar, rhs.scalar);
    out.scalar = IsComparison(e.op) ? (r.keep ? 1 : 0) : r.value;
    return out;
  }
  if (!lhs.is_scalar && !rhs.is_scalar) {
    out.vector = VectorVector(e, lhs.vector, rhs.vector, ctx);
  } else if (lhs.is_scalar) {
    out.vector = VectorScalar(e, rhs.vector, lhs.scalar, true, ctx);
  } else {
    out.vector = VectorScalar(e, lhs.vector, rhs.scalar, false, ctx);
  }
  CheckNoDuplicateLabelsets(out.vector);
  return out;
}

}  // namespace opswatch::promql::internal
