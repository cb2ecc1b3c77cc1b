#include "core/labels.hpp"

#include <algorithm>

namespace opswatch {

Labels::Labels(std::initializer_list<Label> labels) {
  for (const auto& label : labels) Set(label.name, label.value);
}

Labels& Labels::Set(std::string_view name, std::string_view value) {
  auto it = std::lower_bound(items_.begin(), items_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != items_.end() && it->name == name) {
    if (value.empty()) {
      items_.erase(it);
    } else {
      it->value = value;
    }
  } else if (!value.empty()) {
    items_.insert(it, Label{std::string(name), std::string(value)});
  }
  return *this;
}

Labels& Labels::Remove(std::string_view name) { return Set(name, ""); }

std::string_view Labels::Get(std::string_view name) const {
  auto it = std::lower_bound(items_.begin(), items_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != items_.end() && it->name == name) return it->value;
  return {};
}

bool Labels::Has(std::string_view name) const { return !Get(name).empty(); }

uint64_t Labels::FingerprintWithout(std::string_view name) const {
  uint64_t hash = 14695981039346656037ULL;
  auto mix = [&hash](std::string_view s) {
    for (unsigned char c : s) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;  // separator: no valid UTF-8 byte, so ("ab","c") != ("a","bc")
    hash *= 1099511628211ULL;
  };
  for (const auto& label : items_) {
    if (label.name == name) continue;  // names are never empty, so "" skips nothing
    mix(label.name);
    mix(label.value);
  }
  return hash;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Labels::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < items_.size(); ++i) {
    if (i) out += ", ";
    out += items_[i].name;
    out += "=\"";
    out += EscapeLabelValue(items_[i].value);
    out += '"';
  }
  out += '}';
  return out;
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !IsMetricNameStart(name[0])) return false;
  for (char c : name) {
    if (!IsMetricNameChar(c)) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsLabelNameStart(name[0])) return false;
  for (char c : name) {
    if (!IsLabelNameChar(c)) return false;
  }
  return true;
}

}  // namespace opswatch
