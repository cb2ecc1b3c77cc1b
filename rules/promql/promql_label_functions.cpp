// label_replace and label_join, as Prometheus 2.42: they keep the metric name (unless they
// write __name__), and their argument errors surface when the rule is evaluated, with
// Prometheus's wording. label_replace expands its replacement the way Go's
// Regexp.ExpandString does ($1, ${1}, $name, $$; `$1x` names the group "1x").
#include <re2/re2.h>

#include <cctype>
#include <string>
#include <vector>

#include "rules/promql/promql_eval_internal.hpp"

namespace opswatch::promql::internal {
namespace {

const std::string& StringArg(const Expr& arg) {
  const Expr* e = &arg;
  while (e->kind == ExprKind::kParen) e = e->lhs.get();
  return e->string;
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

// Go's regexp extract(): a group name or number after '$', optionally in braces.
bool ExtractReference(std::string_view text, std::string& name, int& number, size_t& consumed) {
  const bool brace = !text.empty() && text[0] == '{';
  size_t i = brace ? 1 : 0;
  const size_t start = i;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    // Go accepts Unicode letters and digits; bytes of multi-byte UTF-8 stand in for them.
    if (!(std::isalnum(c) || c == '_' || c >= 0x80)) break;
    ++i;
  }
  if (i == start) return false;
  name = std::string(text.substr(start, i - start));
  if (brace) {
    if (i >= text.size() || text[i] != '}') return false;
    ++i;
  }
  number = 0;
  for (char c : name) {
    if (c < '0' || c > '9' || number >= 100000000) {
      number = -1;
      break;
    }
    number = number * 10 + (c - '0');
  }
  if (name[0] == '0' && name.size() > 1) number = -1;
  consumed = i;
  return true;
}

std::string Expand(const RE2& re, std::string_view tmpl,
                   const std::vector<re2::StringPiece>& groups) {
  std::string out;
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out += tmpl.substr(0, dollar);
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    std::string name;
    int number = -1;
    size_t consumed = 0;
    if (!ExtractReference(tmpl, name, number, consumed)) {
      out += '$';  // malformed: the '$' stays as text
      continue;
    }
    tmpl.remove_prefix(consumed);
    if (number < 0) {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(name);
      if (it != named.end()) number = it->second;
    }
    // A group that took no part in the match has a null piece and adds nothing.
    if (number >= 0 && static_cast<size_t>(number) < groups.size()) {
      const re2::StringPiece& group = groups[static_cast<size_t>(number)];
      if (group.data() != nullptr) out.append(group.data(), group.size());
    }
  }
  out += tmpl;
  return out;
}

Vector LabelReplace(const Expr& e, Vector in, Context& ctx) {
  const std::string& dst = StringArg(*e.args[1]);
  const std::string& replacement = StringArg(*e.args[2]);
  const std::string& src = StringArg(*e.args[3]);
  const std::string& pattern = StringArg(*e.args[4]);
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re("^(?:" + pattern + ")$", options);
  if (!re.ok()) throw EvalError{"invalid regular expression in label_replace(): " + pattern};
  if (!IsValidLabelName(dst)) {
    throw EvalError{"invalid destination label name in label_replace(): " + dst};
  }
  const int group_count = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(group_count));
  for (auto& s : in) {
    const std::string_view value = s.labels->Get(src);
    const re2::StringPiece text(value.data(), value.size());
    if (!re.Match(text, 0, text.size(), RE2::UNANCHORED, groups.data(), group_count)) continue;
    const std::string result = Expand(re, replacement, groups);
    Labels labels = *s.labels;
    labels.Remove(dst);
    if (!result.empty()) labels.Set(dst, result);
    s = Sample{ctx.Own(std::move(labels)), nullptr, s.value};
  }
  return in;
}

Vector LabelJoin(const Expr& e, Vector in, Context& ctx) {
  const std::string& dst = StringArg(*e.args[1]);
  const std::string& separator = StringArg(*e.args[2]);
  std::vector<std::string> sources;
  for (size_t i = 3; i < e.args.size(); ++i) {
    sources.push_back(StringArg(*e.args[i]));
    if (!IsValidLabelName(sources.back())) {
      throw EvalError{"invalid source label name in label_join(): " + sources.back()};
    }
  }
  if (!IsValidLabelName(dst)) {
    throw EvalError{"invalid destination label name in label_join(): " + dst};
  }
  for (auto& s : in) {
    std::string joined;
    for (size_t i = 0; i < sources.size(); ++i) {
      if (i > 0) joined += separator;
      joined += s.labels->Get(sources[i]);
    }
    Labels labels = *s.labels;
    if (joined.empty()) {
      labels.Remove(dst);
    } else {
      labels.Set(dst, joined);
    }
    s = Sample{ctx.Own(std::move(labels)), nullptr, s.value};
  }
  return in;
}

}  // namespace

InstantValue EvalLabelFunction(const Expr& e, Context& ctx) {
  InstantValue out;
  Vector in = EvalNode(*e.args[0], ctx).vector;
  out.vector = e.function == Function::kLabelReplace ? LabelReplace(e, std::move(in), ctx)
                                                     : LabelJoin(e, std::move(in), ctx);
  CheckNoDuplicateLabelsets(out.vector);
  return out;
}

}  // namespace opswatch::promql::internal
