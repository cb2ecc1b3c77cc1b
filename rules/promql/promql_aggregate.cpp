// sum min max avg count stddev stdvar group quantile count_values with by/without, as
// Prometheus 2.42's aggregation() for floats (topk and bottomk: promql_topk.cpp).
#include <algorithm>
#include <charconv>
#include <cmath>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

struct Group {
  const Labels* representative;  // a member's labels; the group key is derived from it
  double value = 0;
  double mean = 0;
  double count = 0;
  std::vector<double> values;  // quantile only
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
    case AggregateOp::kStddev:
    case AggregateOp::kStdvar: {
      // Welford's running variance, uncompensated as in Prometheus's aggregation.
      const double delta = v - group.mean;
      group.mean += delta / group.count;
      group.value += delta * (v - group.mean);
      break;
    }
    case AggregateOp::kQuantile:
      group.values.push_back(v);
      break;
    case AggregateOp::kCount:
    case AggregateOp::kCountValues:
    case AggregateOp::kGroup:
    case AggregateOp::kTopk:  // EvalTopK
    case AggregateOp::kBottomk:
      break;
  }
}

Group NewGroup(AggregateOp op, const Sample& s) {
  Group group{s.labels, s.value, s.value, 1, {}};
  if (op == AggregateOp::kStddev || op == AggregateOp::kStdvar) group.value = 0;
  if (op == AggregateOp::kQuantile) group.values.push_back(s.value);
  return group;
}

double Result(AggregateOp op, const Group& g, double q) {
  switch (op) {
    case AggregateOp::kAvg:
      return g.mean;
    case AggregateOp::kCount:
    case AggregateOp::kCountValues:
      return g.count;
    case AggregateOp::kGroup:
      return 1;
    case AggregateOp::kStdvar:
      return g.value / g.count;
    case AggregateOp::kStddev:
      return std::sqrt(g.value / g.count);
    case AggregateOp::kQuantile:
      return Quantile(q, g.values);
    default:
      return g.value;
  }
}

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that read back as v, laid out
// without an exponent (1e+21 is "1000000000000000000000", not the exact binary expansion).
std::string FormatValueLabel(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  if (ec != std::errc()) return std::to_string(v);
  const std::string_view text(buf, static_cast<size_t>(end - buf));
  const size_t e = text.find('e');
  const bool negative = text[0] == '-';
  std::string digits;
  for (char c : text.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits += c;
  }
  const int exponent = std::stoi(std::string(text.substr(e + 1)));
  std::string out = negative ? "-" : "";
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
    return out;
  }
  const size_t integer_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    out += digits;
    out.append(integer_digits - digits.size(), '0');
    return out;
  }
  out += digits.substr(0, integer_digits);
  out += '.';
  out += digits.substr(integer_digits);
  return out;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

const std::string& StringParam(const Expr& param) {
  const Expr* e = &param;
  while (e->kind == ExprKind::kParen) e = e->lhs.get();
  return e->string;
}

// count_values: each sample gains the value label, which joins the by(...) list.
Vector WithValueLabel(const std::string& label, const Vector& input, Context& ctx) {
  if (!IsValidLabelName(label)) throw EvalError{"invalid label name \"" + label + "\""};
  Vector out;
  out.reserve(input.size());
  for (const auto& s : input) {
    Labels labels = *s.labels;
    labels.Set(label, FormatValueLabel(s.value));
    out.push_back(Sample{ctx.Own(std::move(labels)), nullptr, s.value});
  }
  return out;
}

}  // namespace

Vector EvalAggregate(const Expr& e, const Vector& input_in, Context& ctx) {
  if (e.aggregate == AggregateOp::kTopk || e.aggregate == AggregateOp::kBottomk) {
    return EvalTopK(e, input_in, ctx);
  }
  double q = 0;
  std::vector<std::string> names = e.grouping;
  Vector labelled;
  const Vector* input_ptr = &input_in;
  if (e.aggregate == AggregateOp::kQuantile) q = EvalNode(*e.rhs, ctx).scalar;
  if (e.aggregate == AggregateOp::kCountValues) {
    const std::string& label = StringParam(*e.rhs);
    labelled = WithValueLabel(label, input_in, ctx);
    input_ptr = &labelled;
    if (!e.without) names.push_back(label);
  }
  const Vector& input = *input_ptr;
  const bool by_value_label = e.aggregate == AggregateOp::kCountValues && !e.without;
  const GroupKey key_of(e.grouping_given || by_value_label, e.without, names);
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
      groups.push_back(NewGroup(e.aggregate, s));
      continue;
    }
    Accumulate(e.aggregate, *group, s.value);
  }
  Vector out;
  out.reserve(groups.size());
  for (const auto& g : groups) {
    Labels key;
    if (e.grouping_given || by_value_label) {
      key = g.representative->Filtered(
          [&key_of](const Label& label) { return key_of.Includes(label.name); });
    }
    out.push_back(Sample{ctx.Own(std::move(key)), nullptr, Result(e.aggregate, g, q)});
  }
  return out;
}

}  // namespace opswatch::promql::internal
