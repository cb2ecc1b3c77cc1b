// sum/min/max/avg/count with by/without, as Prometheus 2.42's aggregation() for floats.
#include <algorithm>
#include <cmath>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

struct Group {
  const Labels* representative;  // a member's labels; the group key is derived from it
  double value = 0;
  double mean = 0;
  double count = 0;
};

// Which labels form the group key: by(...) lists them; without(...) drops them and the name.
class GroupKey {
 public:
  explicit GroupKey(const Expr& e) : e_(e), listed_(e.grouping) {}

  bool Includes(std::string_view name) const {
    if (!e_.grouping_given) return false;
    return e_.without ? (name != kMetricName && !listed_.Contains(name)) : listed_.Contains(name);
  }

  // Samples with equal hashes share a group (Prometheus groups by a 64-bit key too).
  uint64_t Hash(const Sample& sample) const {
    return HashLabels(sample, [this](std::string_view name) { return Includes(name); });
  }

 private:
  const Expr& e_;
  NameList listed_;
};

void Accumulate(AggregateOp op, Group& group, double v) {
  group.count++;
  switch (op) {
    case AggregateOp::kSum:
      group.value += v;
      break;
    case AggregateOp::kMax:
      if (group.value < v || std::isnan(group.value)) group.value = v;
      break;
    case AggregateOp::kMin:
      if (group.value > v || std::isnan(group.value)) group.value = v;
      break;
    case AggregateOp::kAvg:
      if (std::isinf(group.mean)) {
        if (std::isinf(v) && (group.mean > 0) == (v > 0)) break;
        if (!std::isinf(v) && !std::isnan(v)) break;
      }
      // Divide each side of the difference by count to avoid overflow, as Prometheus does.
      group.mean += v / group.count - group.mean / group.count;
      break;
    case AggregateOp::kCount:
      break;
  }
}

}  // namespace

Vector EvalAggregate(const Expr& e, const Vector& input, Context& ctx) {
  const GroupKey key_of(e);
  std::vector<Group> groups;
  // Open addressing over (hash, group index + 1); at least twice the input size so probes stay
  // short. One allocation instead of a node per sample.
  size_t capacity = 16;
  while (capacity < input.size() * 2) capacity *= 2;
  std::vector<std::pair<uint64_t, size_t>> slots(capacity, {0, 0});
  for (const auto& s : input) {
    const uint64_t hash = key_of.Hash(s);
    size_t i = hash & (capacity - 1);
    Group* group = nullptr;
    for (; slots[i].second != 0; i = (i + 1) & (capacity - 1)) {
      if (slots[i].first == hash) {
        group = &groups[slots[i].second - 1];
        break;
      }
    }
    if (group == nullptr) {
      slots[i] = {hash, groups.size() + 1};
      groups.push_back(Group{s.labels, s.value, s.value, 1});
      continue;
    }
    Accumulate(e.aggregate, *group, s.value);
  }
  Vector out;
  out.reserve(groups.size());
  for (const auto& g : groups) {
    Labels key;
    if (e.grouping_given) {
      key = g.representative->Filtered(
          [&key_of](const Label& label) { return key_of.Includes(label.name); });
    }
    double v = g.value;
    if (e.aggregate == AggregateOp::kAvg) v = g.mean;
    if (e.aggregate == AggregateOp::kCount) v = g.count;
    out.push_back(Sample{ctx.Own(std::move(key)), nullptr, v});
  }
  return out;
}

}  // namespace opswatch::promql::internal
