// A label set: name/value pairs kept sorted by name, names unique. The identity of a series.
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opswatch {

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
  auto operator<=>(const Label&) const = default;
};

class Labels {
 public:
  Labels() = default;
  Labels(std::initializer_list<Label> labels);

  // Sets (or replaces) a label; an empty value removes it, as in Prometheus.
  Labels& Set(std::string_view name, std::string_view value);
  Labels& Remove(std::string_view name);
  // The value of `name`, or "" when absent (Prometheus treats both alike).
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;

  // Room for `n` labels, so a parser that knows the count allocates once instead of growing.
  void Reserve(size_t n) { items_.reserve(n); }

  const std::vector<Label>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

  // The labels `keep(label)` accepts, in one allocation (cheaper than copying and removing).
  template <class Predicate>
  Labels Filtered(Predicate keep) const {
    Labels out;
    size_t n = 0;
    for (const auto& label : items_) n += keep(label) ? 1 : 0;
    out.items_.reserve(n);
    for (const auto& label : items_) {
      if (keep(label)) out.items_.push_back(label);
    }
    return out;
  }

  // Stable 64-bit hash of the set (FNV-1a over names and values with separators).
  uint64_t Fingerprint() const { return FingerprintWithout({}); }
  // The fingerprint of the set without the label `name` (e.g. a series' name-less identity),
  // computed without copying the set.
  uint64_t FingerprintWithout(std::string_view name) const;
  // {a="1", b="2"} with Prometheus escaping; "{}" when empty.
  std::string ToString() const;

  bool operator==(const Labels&) const = default;
  auto operator<=>(const Labels&) const = default;

 private:
  std::vector<Label> items_;
};

// Escapes a label value for the text exposition format and PromQL string output.
std::string EscapeLabelValue(std::string_view value);

// Prometheus's name grammar, the one copy: [a-zA-Z_:] starts a metric name and [a-zA-Z0-9_:]
// continues it; label names are the same without ':'.
inline bool IsMetricNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
inline bool IsMetricNameChar(char c) { return IsMetricNameStart(c) || (c >= '0' && c <= '9'); }
inline bool IsLabelNameStart(char c) { return IsMetricNameStart(c) && c != ':'; }
inline bool IsLabelNameChar(char c) { return IsMetricNameChar(c) && c != ':'; }
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace opswatch
