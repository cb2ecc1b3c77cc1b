// sum/min/max/avg/count with by/without, as Prometheus 2.42's aggregation() for floats.
#include <cmath>
#include <unordered_map>

#include "rules/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

struct Group {
  Labels labels;
  double value = 0;
  double mean = 0;
  double count = 0;
};

bool Listed(const std::vector<std::string>& names, std::string_view name) {
  for (const auto& n : names) {
    if (n == name) return true;
  }
  return false;
}

Labels GroupLabels(const Expr& e, const Labels& labels) {
  Labels out;
  if (!e.grouping_given) return out;
  for (const auto& label : labels) {
    const bool listed = Listed(e.grouping, label.name);
    if (e.without ? (!listed && label.name != kMetricName) : listed) {
      out.Set(label.name, label.value);
    }
  }
  return out;
}

}  // namespace

Vector EvalAggregate(const Expr& e, const Vector& input) {
  std::unordered_map<uint64_t, std::vector<size_t>> index;  // fingerprint -> groups
  std::vector<Group> groups;
  for (const auto& s : input) {
    Labels key = GroupLabels(e, s.labels);
    const uint64_t fp = key.Fingerprint();
    Group* group = nullptr;
    for (size_t i : index[fp]) {
      if (groups[i].labels == key) group = &groups[i];
    }
    if (group == nullptr) {
      index[fp].push_back(groups.size());
      groups.push_back(Group{std::move(key), s.value, s.value, 1});
      continue;
    }
    group->count++;
    switch (e.aggregate) {
      case AggregateOp::kSum:
        group->value += s.value;
        break;
      case AggregateOp::kMax:
        if (group->value < s.value || std::isnan(group->value)) group->value = s.value;
        break;
      case AggregateOp::kMin:
        if (group->value > s.value || std::isnan(group->value)) group->value = s.value;
        break;
      case AggregateOp::kAvg:
        if (std::isinf(group->mean)) {
          if (std::isinf(s.value) && (group->mean > 0) == (s.value > 0)) break;
          if (!std::isinf(s.value) && !std::isnan(s.value)) break;
        }
        // Divide each side of the difference by count to avoid overflow, as Prometheus does.
        group->mean += s.value / group->count - group->mean / group->count;
        break;
      case AggregateOp::kCount:
        break;
    }
  }
  Vector out;
  out.reserve(groups.size());
  for (auto& g : groups) {
    double v = g.value;
    if (e.aggregate == AggregateOp::kAvg) v = g.mean;
    if (e.aggregate == AggregateOp::kCount) v = g.count;
    out.push_back(VectorSample{std::move(g.labels), v});
  }
  return out;
}

}  // namespace opswatch::promql::internal
