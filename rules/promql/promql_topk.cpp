// topk and bottomk as Prometheus 2.42's aggregation(): per group a binary heap of at most k
// samples with the smallest (topk) or largest (bottomk) on top, replaced when a better sample
// comes; NaN counts as worse than any number. The heap operations are Go's container/heap, so for
// the same input order ties resolve to the same samples.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <utility>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

class SampleHeap {
 public:
  explicit SampleHeap(bool top) : top_(top) {}

  // vectorByValueHeap (topk) and vectorByReverseValueHeap (bottomk): NaN is always "less".
  bool Less(size_t i, size_t j) const {
    if (std::isnan(items_[i].value)) return true;
    return top_ ? items_[i].value < items_[j].value : items_[i].value > items_[j].value;
  }

  void Offer(const Sample& s, size_t k) {
    if (items_.size() < k) {
      items_.push_back(s);
      Up(items_.size() - 1);
      return;
    }
    const double worst = items_[0].value;
    const bool better = top_ ? worst < s.value : worst > s.value;
    if (better || (std::isnan(worst) && !std::isnan(s.value))) {
      items_[0] = s;
      if (k > 1 && !Down(0)) Up(0);  // heap.Fix
    }
  }

  std::vector<Sample>& items() { return items_; }

 private:
  void Up(size_t j) {
    while (j > 0) {
      const size_t parent = (j - 1) / 2;
      if (!Less(j, parent)) break;
      std::swap(items_[parent], items_[j]);
      j = parent;
    }
  }

  bool Down(size_t i0) {
    size_t i = i0;
    const size_t n = items_.size();
    while (true) {
      const size_t left = 2 * i + 1;
      if (left >= n) break;
      size_t j = left;
      if (left + 1 < n && Less(left + 1, left)) j = left + 1;
      if (!Less(j, i)) break;
      std::swap(items_[i], items_[j]);
      i = j;
    }
    return i > i0;
  }

  bool top_;
  std::vector<Sample> items_;
};

// int64(k) as Go converts it, after Prometheus's convertibleToInt64 check.
int64_t ParamK(double k) {
  if (!(k <= 9.223372036854775807e18 && k >= -9.223372036854775808e18)) {
    char text[64];
    // Go's %v: NaN and +Inf spelled as Go spells them, other values as %g does.
    if (std::isnan(k)) throw EvalError{"Scalar value NaN overflows int64"};
    if (std::isinf(k))
      throw EvalError{k > 0 ? "Scalar value +Inf overflows int64"
                            : "Scalar value -Inf overflows int64"};
    std::snprintf(text, sizeof text, "Scalar value %g overflows int64", k);
    throw EvalError{text};
  }
  return static_cast<int64_t>(k);
}

}  // namespace

Vector EvalTopK(const Expr& e, const Vector& input, Context& ctx) {
  const int64_t k = ParamK(EvalNode(*e.rhs, ctx).scalar);
  if (k < 1) return {};
  const GroupKey key_of(e.grouping_given, e.without, e.grouping);
  const bool top = e.aggregate == AggregateOp::kTopk;
  std::vector<SampleHeap> groups;
  std::unordered_map<uint64_t, size_t> index;  // group key hash -> groups[]
  const size_t limit = static_cast<size_t>(std::min<int64_t>(k, int64_t(input.size())));
  // Prometheus's input comes from storage ordered by label set, and which of two equal values
  // stays in the heap depends on the order: take the samples in that order too.
  std::vector<const Sample*> ordered;
  ordered.reserve(input.size());
  for (const Sample& s : input) ordered.push_back(&s);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Sample* a, const Sample* b) { return *a->labels < *b->labels; });
  for (const Sample* s : ordered) {
    auto [it, added] = index.try_emplace(key_of.Hash(*s), groups.size());
    if (added) groups.emplace_back(top);
    groups[it->second].Offer(*s, limit);
  }
  Vector out;
  for (SampleHeap& group : groups) {
    for (Sample& s : group.items()) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace opswatch::promql::internal
