// Binary operators with Prometheus's matching, filtering and metric-name rules
// (promql/engine.go: VectorBinop, VectorscalarBinop, VectorAnd/Or/Unless, resultMetric).
#include <algorithm>
#include <cmath>
#include <optional>

#include "rules/promql/promql_eval_internal.hpp"

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

// Which labels take part in matching two samples: on(...) uses only the listed labels;
// otherwise every label but __name__ and the ignored ones. Built once per operation.
class Signature {
 public:
  explicit Signature(const Expr& e)
      : on_(e.matching_on),
        listed_(e.matching_labels),
        all_but_name_(!e.matching_on && e.matching_labels.empty()) {}

  bool Includes(std::string_view name) const {
    return on_ ? listed_.Contains(name) : (name != kMetricName && !listed_.Contains(name));
  }

  // Two samples match when these agree (a 64-bit hash, as Prometheus's signatures are).
  uint64_t Hash(const Sample& sample) const {
    if (!all_but_name_) {
      return HashLabels(sample, [this](std::string_view name) { return Includes(name); });
    }
    // Every label but the name: the history's precomputed name-less fingerprint for a selected
    // series, and the same function over computed labels.
    if (sample.series != nullptr) return sample.series->fingerprint_without_name;
    return sample.labels->FingerprintWithout(kMetricName);
  }

  // The labels a signature is built from, for error messages (Labels.MatchLabels).
  Labels Group(const Labels& labels) const {
    Labels out;
    for (const auto& label : labels) {
      if (Includes(label.name)) out.Set(label.name, label.value);
    }
    return out;
  }

 private:
  bool on_;
  NameList listed_;
  bool all_but_name_;
};

// The signatures of one side, sorted for lookups without per-element allocation.
class SignatureIndex {
 public:
  SignatureIndex(const Signature& signature, const Vector& v) : signature_(signature) {
    keys_.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) keys_.emplace_back(signature.Hash(v[i]), i);
    std::sort(keys_.begin(), keys_.end());  // (hash, index): equal hashes stay in input order
  }
  // Index of the first sample in `v` with the same signature as `sample`, or -1.
  long Find(const Sample& sample) const {
    const uint64_t hash = signature_.Hash(sample);
    auto it = std::lower_bound(keys_.begin(), keys_.end(), hash,
                               [](const auto& k, uint64_t h) { return k.first < h; });
    return it != keys_.end() && it->first == hash ? static_cast<long>(it->second) : -1;
  }
  // A pair (earlier, later) of samples sharing a signature, if any.
  std::optional<std::pair<size_t, size_t>> Duplicate() const {
    for (size_t i = 0; i + 1 < keys_.size(); ++i) {
      if (keys_[i].first == keys_[i + 1].first) {
        return std::make_pair(keys_[i].second, keys_[i + 1].second);
      }
    }
    return std::nullopt;
  }

 private:
  const Signature& signature_;
  std::vector<std::pair<uint64_t, size_t>> keys_;
};

// Many-to-one results keep the "many" side's labels, plus the group modifier's labels taken
// from the "one" side (removed where that side lacks them).
Sample GroupResultMetric(const Expr& e, const Sample& many, const Sample& one, Context& ctx) {
  Sample out = DropsMetricName(e.op) || e.return_bool ? DropName(many, ctx) : many;
  if (e.include_labels.empty()) return out;
  Labels labels = *out.labels;
  for (const auto& name : e.include_labels) {
    const std::string_view value = one.labels->Get(name);
    if (value.empty()) {
      labels.Remove(name);
    } else {
      labels.Set(name, value);
    }
  }
  return Sample{ctx.Own(std::move(labels)), nullptr, out.value};
}

Sample ResultMetric(const Expr& e, const Sample& lhs, Context& ctx) {
  Sample out = DropsMetricName(e.op) || e.return_bool ? DropName(lhs, ctx) : lhs;
  if (!e.matching_given || (!e.matching_on && e.matching_labels.empty())) return out;
  const NameList listed(e.matching_labels);
  return Sample{ctx.Own(out.labels->Filtered([&](const Label& label) {
                  return listed.Contains(label.name) == e.matching_on;
                })),
                nullptr, out.value};
}

Vector SetOperation(const Expr& e, const Vector& lhs, const Vector& rhs) {
  Vector out;
  const Signature signature(e);
  switch (e.op) {
    case BinaryOp::kAnd: {
      if (lhs.empty() || rhs.empty()) return out;
      SignatureIndex right(signature, rhs);
      for (const auto& s : lhs) {
        if (right.Find(s) >= 0) out.push_back(s);
      }
      return out;
    }
    case BinaryOp::kOr: {
      if (lhs.empty()) return rhs;
      if (rhs.empty()) return lhs;
      SignatureIndex left(signature, lhs);
      out = lhs;
      for (const auto& s : rhs) {
        if (left.Find(s) < 0) out.push_back(s);
      }
      return out;
    }
    case BinaryOp::kUnless: {
      if (lhs.empty() || rhs.empty()) return lhs;
      SignatureIndex right(signature, rhs);
      for (const auto& s : lhs) {
        if (right.Find(s) < 0) out.push_back(s);
      }
      return out;
    }
    default:
      return out;
  }
}

// group_left/group_right: each "many" sample pairs with the one "one" sample of its signature;
// results within a match group must differ in their labels.
Vector ManyToOne(const Expr& e, const Vector& many, const Vector& one,
                 const SignatureIndex& one_index, Context& ctx) {
  Vector out;
  std::vector<std::vector<uint64_t>> inserted(one.size());  // result fingerprints per group
  for (const auto& m : many) {
    const long r = one_index.Find(m);
    if (r < 0) continue;
    const Sample& o = one[static_cast<size_t>(r)];
    const bool left = e.group == Expr::Group::kLeft;
    ElemResult res = Apply(e.op, left ? m.value : o.value, left ? o.value : m.value);
    if (e.return_bool) {
      res.value = res.keep ? 1 : 0;
    } else if (!res.keep) {
      continue;
    }
    Sample sample = GroupResultMetric(e, m, o, ctx);
    sample.value = res.value;
    const uint64_t fingerprint = sample.labels->Fingerprint();
    auto& group = inserted[static_cast<size_t>(r)];
    if (std::find(group.begin(), group.end(), fingerprint) != group.end()) {
      throw EvalError{"multiple matches for labels: grouping labels must ensure unique matches"};
    }
    group.push_back(fingerprint);
    out.push_back(sample);
  }
  // Distinct match groups can still meet in one label set.
  CheckNoDuplicateLabelsets(out);
  return out;
}

Vector VectorVector(const Expr& e, const Vector& lhs_in, const Vector& rhs_in, Context& ctx) {
  if (IsSetOperator(e.op)) return SetOperation(e, lhs_in, rhs_in);
  if (lhs_in.empty() || rhs_in.empty()) return {};
  // group_right is group_left with the sides swapped: `rhs` is always the "one" side.
  const bool swapped = e.group == Expr::Group::kRight;
  const Vector& lhs = swapped ? rhs_in : lhs_in;
  const Vector& rhs = swapped ? lhs_in : rhs_in;
  const Signature signature(e);
  SignatureIndex right(signature, rhs);
  if (auto dup = right.Duplicate()) {
    const Labels& later = *rhs[dup->second].labels;
    throw EvalError{"found duplicate series for the match group " +
                    signature.Group(later).ToString() + " on the " + (swapped ? "left" : "right") +
                    " hand-side of the operation: [" + later.ToString() + ", " +
                    rhs[dup->first].labels->ToString() +
                    "];many-to-many matching not allowed: matching labels must be unique on one "
                    "side"};
  }
  if (e.group != Expr::Group::kNone) return ManyToOne(e, lhs, rhs, right, ctx);
  Vector out;
  std::vector<bool> matched(rhs.size(), false);
  for (const auto& l : lhs) {
    const long r = right.Find(l);
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
  const bool comparison = IsComparison(e.op);
  const bool drop_name = DropsMetricName(e.op) || e.return_bool;
  for (const auto& s : vec) {
    const double l = scalar_on_left ? scalar : s.value;
    const double r = scalar_on_left ? s.value : scalar;
    ElemResult res = Apply(e.op, l, r);
    // A comparison keeps the vector element's value even when the scalar is on the left.
    if (comparison && scalar_on_left) res.value = s.value;
    if (e.return_bool) {
      res.value = res.keep ? 1 : 0;
    } else if (!res.keep) {
      continue;
    }
    Sample sample = drop_name ? DropName(s, ctx) : s;
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
    // No check for equal label sets needed: one-to-one matching already failed on two results
    // with one signature ("multiple matches"), and set operators keep at most one sample per
    // signature from inputs that had no duplicates.
    out.vector = VectorVector(e, lhs.vector, rhs.vector, ctx);
    return out;
  }
  if (lhs.is_scalar) {
    out.vector = VectorScalar(e, rhs.vector, lhs.scalar, true, ctx);
  } else {
    out.vector = VectorScalar(e, lhs.vector, rhs.scalar, false, ctx);
  }
  CheckNoDuplicateLabelsets(out.vector);
  return out;
}

}  // namespace opswatch::promql::internal
