#include "collectors/relabel.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace opswatch {
namespace {

constexpr std::array<std::pair<const char*, RelabelAction>, 7> kActions = {{
    {"replace", RelabelAction::kReplace},
    {"keep", RelabelAction::kKeep},
    {"drop", RelabelAction::kDrop},
    {"hashmod", RelabelAction::kHashMod},
    {"labelmap", RelabelAction::kLabelMap},
    {"labeldrop", RelabelAction::kLabelDrop},
    {"labelkeep", RelabelAction::kLabelKeep},
}};

const char* ActionName(RelabelAction action) {
  for (const auto& [name, value] : kActions) {
    if (value == action) return name;
  }
  return "?";
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Prometheus's relabelTarget: ^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$, a label name in which
// $1, ${1}, $name or ${name} may stand for characters.
bool IsLabelNameTemplate(std::string_view text) {
  static const RE2 kTemplate(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
  return RE2::FullMatch(text, kTemplate);
}

// One reference after a `$` (Go's regexp.extract): a name of word characters, in braces or not.
// A name of digits only (no leading zero) is a group number. False when malformed.
bool ExtractReference(std::string_view text, std::string_view& name, size_t& consumed) {
  bool brace = !text.empty() && text[0] == '{';
  size_t start = brace ? 1 : 0;
  size_t end = start;
  while (end < text.size() && IsWordChar(text[end])) ++end;
  if (end == start) return false;
  name = text.substr(start, end - start);
  if (brace) {
    if (end >= text.size() || text[end] != '}') return false;
    ++end;
  }
  consumed = end;
  return true;
}

// Go's Regexp.ExpandString over `groups` (groups[i].data() == nullptr: group i did not match).
std::string Expand(const RE2& regex, std::string_view tmpl,
                   const std::vector<re2::StringPiece>& groups) {
  std::string out;
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view name;
    size_t consumed = 0;
    if (!ExtractReference(tmpl, name, consumed)) {
      out += '$';  // malformed: the `$` stays as text
      continue;
    }
    tmpl.remove_prefix(consumed);
    int number = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || number >= 100000000) {
        number = -1;
        break;
      }
      number = number * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') number = -1;
    if (number < 0) {
      const auto& named = regex.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      if (it == named.end()) continue;
      number = it->second;
    }
    if (size_t(number) < groups.size() && groups[number].data() != nullptr) {
      out.append(groups[number].data(), groups[number].size());
    }
  }
  out.append(tmpl);
  return out;
}

// Whole-string match with the groups captured; false when no match.
bool MatchGroups(const RE2& regex, std::string_view text, std::vector<re2::StringPiece>& groups) {
  groups.assign(size_t(regex.NumberOfCapturingGroups()) + 1, re2::StringPiece());
  return regex.Match(text, 0, text.size(), RE2::ANCHOR_BOTH, groups.data(), int(groups.size()));
}

// Prometheus's sum64(md5.Sum(value)): the digest's last 8 bytes, big-endian (Go drops the bits
// the first 8 bytes shift past 64).
uint64_t HashModValue(std::string_view value) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(value.data(), value.size(), digest.data(), &size, EVP_md5(), nullptr);
  uint64_t sum = 0;
  for (unsigned int i = size >= 8 ? size - 8 : 0; i < size; ++i) sum = (sum << 8) | digest[i];
  return sum;
}

std::string JoinSources(const RelabelSpec& spec, const Labels& labels) {
  std::string value;
  for (size_t i = 0; i < spec.source_labels.size(); ++i) {
    if (i > 0) value += spec.separator;
    value.append(labels.Get(spec.source_labels[i]));
  }
  return value;
}

// One rule; false when the series is dropped.
bool ApplyRule(const RelabelRule& rule, Labels& labels, std::vector<re2::StringPiece>& groups) {
  const RelabelSpec& spec = rule.spec;
  const RE2& regex = *rule.regex;
  switch (spec.action) {
    case RelabelAction::kDrop:
      return !RE2::FullMatch(JoinSources(spec, labels), regex);
    case RelabelAction::kKeep:
      return RE2::FullMatch(JoinSources(spec, labels), regex);
    case RelabelAction::kReplace: {
      const std::string value = JoinSources(spec, labels);
      if (!MatchGroups(regex, value, groups)) return true;
      std::string target = Expand(regex, spec.target_label, groups);
      if (!IsValidLabelName(target)) return true;
      // Labels::Set removes the label when the result is empty, as Prometheus does.
      labels.Set(target, Expand(regex, spec.replacement, groups));
      return true;
    }
    case RelabelAction::kHashMod: {
      uint64_t mod = HashModValue(JoinSources(spec, labels)) % spec.modulus;
      labels.Set(spec.target_label, std::to_string(mod));
      return true;
    }
    case RelabelAction::kLabelMap: {
      const Labels before = labels;
      for (const auto& label : before) {
        if (!MatchGroups(regex, label.name, groups)) continue;
        labels.Set(Expand(regex, spec.replacement, groups), label.value);
      }
      return true;
    }
    case RelabelAction::kLabelDrop:
    case RelabelAction::kLabelKeep: {
      const bool keep_matching = spec.action == RelabelAction::kLabelKeep;
      labels = labels.Filtered(
          [&](const Label& label) { return RE2::FullMatch(label.name, regex) == keep_matching; });
      return true;
    }
  }
  return true;
}

}  // namespace

std::optional<RelabelAction> ParseRelabelAction(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  for (const auto& [action_name, action] : kActions) {
    if (lower == action_name) return action;
  }
  return std::nullopt;
}

const char* RelabelActionNames() {
  return "replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep";
}

std::optional<RelabelSpecError> CompileRelabelRule(RelabelSpec spec, RelabelRule& out) {
  const std::string action = ActionName(spec.action);
  for (const auto& source : spec.source_labels) {
    if (!IsValidLabelName(source)) {
      return RelabelSpecError{"source_labels", "\"" + source + "\" is not a valid label name"};
    }
  }
  const bool needs_target =
      spec.action == RelabelAction::kReplace || spec.action == RelabelAction::kHashMod;
  if (spec.action == RelabelAction::kHashMod && spec.modulus == 0) {
    return RelabelSpecError{"modulus",
                            "relabel configuration for hashmod requires non-zero modulus"};
  }
  if (needs_target && spec.target_label.empty()) {
    return RelabelSpecError{"target_label", "relabel configuration for " + action +
                                                " action requires 'target_label' value"};
  }
  const bool target_ok =
      spec.action == RelabelAction::kReplace && spec.target_label.find('$') != std::string::npos
          ? IsLabelNameTemplate(spec.target_label)
          : IsValidLabelName(spec.target_label);
  if (needs_target && !target_ok) {
    return RelabelSpecError{
        "target_label",
        "\"" + spec.target_label + "\" is invalid 'target_label' for " + action + " action"};
  }
  if (spec.action == RelabelAction::kLabelDrop || spec.action == RelabelAction::kLabelKeep) {
    const RelabelSpec defaults;
    if (!spec.source_labels.empty() || !spec.target_label.empty() || spec.modulus != 0 ||
        spec.separator != defaults.separator || spec.replacement != defaults.replacement) {
      return RelabelSpecError{"action",
                              action + " action requires only 'regex', and no other fields"};
    }
  }
  if (spec.action == RelabelAction::kLabelMap && !IsLabelNameTemplate(spec.replacement)) {
    return RelabelSpecError{
        "replacement",
        "\"" + spec.replacement + "\" is invalid 'replacement' for " + action + " action"};
  }
  RE2::Options options;
  options.set_log_errors(false);
  auto regex = std::make_shared<const RE2>("^(?:" + spec.regex + ")$", options);
  if (!regex->ok()) {
    return RelabelSpecError{"regex", "invalid regular expression: " + regex->error()};
  }
  out.spec = std::move(spec);
  out.regex = std::move(regex);
  return std::nullopt;
}

bool ApplyRelabelRules(const std::vector<RelabelRule>& rules, Labels& labels) {
  std::vector<re2::StringPiece> groups;  // reused: one allocation for all rules
  for (const auto& rule : rules) {
    if (!ApplyRule(rule, labels, groups)) return false;
  }
  return true;
}

}  // namespace opswatch
