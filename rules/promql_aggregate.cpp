// sum/min/max/avg/count with by/without, as Prometheus 2.42's aggregation() for floats.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "rules/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

struct Group {
  const Labels* representative;  // a member's labels; the group key is derived from it
  double value = 0;
  double mean = 0;
  double count = 0;
};

bool InGroupKey(const Expr& e, std::string_view name) {
  if (!e.grouping_given) return false;
  bool listed = false;
  for (const auto& n : e.grouping) listed = listed || n == name;
  return e.without ? (!listed && name != kMetricName) : listed;
}

uint64_t GroupHash(const Expr& e, const Labels& labels) {
  uint64_t hash = 14695981039346656037ULL;
  for (const auto& label : labels) {
    if (!InGroupKey(e, label.name)) continue;
    for (std::string_view s : {std::string_view(label.name), std::string_view(label.value)}) {
      for (unsigned char c : s) {
        hash ^= c;
        hash *= 1099511628211ULL;
      }
      hash ^= 0xff;
      hash *= 1099511628211ULL;
    }
  }
  return hash;
}

bool SameGroup(const Expr& e, const Labels& a, const Labels& b) {
  auto ia = a.begin(), ib = b.begin();
  for (;;) {
    while (ia != a.end() && !InGroupKey(e, ia->name)) ++ia;
    while (ib != b.end() && !InGroupKey(e, ib->name)) ++ib;
    if (ia == a.end() || ib == b.end()) return ia == a.end() && ib == b.end();
    if (*ia != *ib) return false;
    ++ia;
    ++ib;
  }
}

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
  std::vector<Group> groups;
  std::unordered_multimap<uint64_t, size_t> index;
  for (const auto& s : input) {
    const uint64_t hash = GroupHash(e, *s.labels);
    Group* group = nullptr;
    auto [begin, end] = index.equal_range(hash);
    for (auto it = begin; it != end && group == nullptr; ++it) {
      if (SameGroup(e, *groups[it->second].representative, *s.labels)) group = &groups[it->second];
    }
    if (group == nullptr) {
      index.emplace(hash, groups.size());
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
      key = *g.representative;  // copy once and erase in place
      for (const auto& label : *g.representative) {
        if (!InGroupKey(e, label.name)) key.Remove(label.name);
      }
    }
    double v = g.value;
    if (e.aggregate == AggregateOp::kAvg) v = g.mean;
    if (e.aggregate == AggregateOp::kCount) v = g.count;
    out.push_back(Sample{ctx.Own(std::move(key)), nullptr, v});
  }
  return out;
}

}  // namespace opswatch::promql::internal
