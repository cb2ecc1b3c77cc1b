#include "collectors/exposition_builder.hpp"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "collectors/exposition_lexing.hpp"

namespace opswatch::exposition {
namespace {

// Prometheus's own name for the label that holds the metric name.
constexpr std::string_view kMetricNameLabel = "__name__";

bool CutSuffix(std::string_view text, std::string_view suffix, std::string_view& base) {
  if (!text.ends_with(suffix)) return false;
  base = text.substr(0, text.size() - suffix.size());
  return true;
}

// Whether `series` is `base` or `base` plus one of `suffixes`.
bool IsBasePlus(std::string_view series, std::string_view base,
                std::initializer_list<std::string_view> suffixes) {
  if (!series.starts_with(base)) return false;
  const std::string_view rest = series.substr(base.size());
  if (rest.empty()) return true;
  return std::find(suffixes.begin(), suffixes.end(), rest) != suffixes.end();
}

// Which series names a family of `type` holds: Prometheus's rule (which strips _total from a
// counter family's name and _info from an info family's), plus OpenMetrics's _created series.
bool BelongsToFamily(std::string_view series, std::string_view family, ExposedType type) {
  std::string_view base = family;
  switch (type) {
    case ExposedType::kCounter:
      CutSuffix(family, "_total", base);
      return IsBasePlus(series, base, {"_total", "_created"});
    case ExposedType::kHistogram:
      return IsBasePlus(series, base, {"_bucket", "_sum", "_count", "_created"});
    case ExposedType::kGaugeHistogram:
      return IsBasePlus(series, base, {"_bucket", "_gsum", "_gcount"});
    case ExposedType::kSummary:
      return IsBasePlus(series, base, {"_sum", "_count", "_created"});
    case ExposedType::kInfo:
      CutSuffix(family, "_info", base);
      return IsBasePlus(series, base, {"_info"});
    default:
      return series == family;
  }
}

std::string Truncated(std::string_view text) { return std::string(text.substr(0, 50)); }

}  // namespace

uint32_t ExpositionBuilder::Declare(std::string_view family) {
  auto it = family_index_.find(family);
  uint32_t index;
  if (it != family_index_.end()) {
    index = it->second;
  } else {
    index = uint32_t(result_.families.size());
    result_.families.push_back(ExposedFamily{std::string(family), ExposedType::kUntyped, {}, {}});
    family_index_.emplace(std::string(family), index);
  }
  current_ = index;
  return index;
}

void ExpositionBuilder::SetHelp(std::string_view family, std::string help) {
  result_.families[Declare(family)].help = std::move(help);
}

void ExpositionBuilder::SetType(std::string_view family, ExposedType type) {
  result_.families[Declare(family)].type = type;
}

void ExpositionBuilder::SetUnit(std::string_view family, std::string_view unit) {
  result_.families[Declare(family)].unit = std::string(unit);
}

uint32_t ExpositionBuilder::FamilyOf(std::string_view series_name) {
  if (current_) {
    const ExposedFamily& family = result_.families[*current_];
    if (BelongsToFamily(series_name, family.name, family.type)) return *current_;
  }
  if (last_implicit_ && result_.families[*last_implicit_].name == series_name) {
    return *last_implicit_;
  }
  if (auto it = family_index_.find(series_name); it != family_index_.end()) return it->second;
  const auto index = uint32_t(result_.families.size());
  result_.families.push_back(
      ExposedFamily{std::string(series_name), ExposedType::kUntyped, {}, {}});
  family_index_.emplace(std::string(series_name), index);
  last_implicit_ = index;
  return index;
}

void ExpositionBuilder::StartSample(std::string_view name) {
  name_ = name;
  labels_.clear();
  unescaped_used_ = 0;
  non_empty_labels_ = 0;
}

Status ExpositionBuilder::AddLabel(std::string_view name, std::string_view raw_value,
                                   bool has_escapes) {
  // Escapes never unescape to nothing, so the raw value tells an empty one. Counting here, before
  // the line ends, stops a line with a million labels at the limit instead of after it.
  if (!raw_value.empty()) ++non_empty_labels_;
  if (limits_.label_limit != 0 && non_empty_labels_ + 1 > limits_.label_limit) {
    return Status::Error("label_limit exceeded (metric: " + Truncated(name_) +
                         ", number of labels: " + std::to_string(non_empty_labels_ + 1) +
                         ", limit: " + std::to_string(limits_.label_limit) + ")");
  }
  PendingLabel label{name, raw_value, -1};
  if (has_escapes) {
    if (unescaped_used_ == unescaped_.size()) unescaped_.emplace_back();
    std::string& out = unescaped_[unescaped_used_];
    out.clear();
    AppendUnescaped(out, raw_value, /*quote=*/true);
    label.unescaped = int(unescaped_used_++);
  }
  labels_.push_back(label);
  return Status::Ok();
}

Status ExpositionBuilder::CheckLengths() const {
  const size_t name_limit = limits_.label_name_length_limit;
  const size_t value_limit = limits_.label_value_length_limit;
  auto check = [&](std::string_view name, std::string_view value) -> Status {
    if (name_limit != 0 && name.size() > name_limit) {
      return Status::Error("label_name_length_limit exceeded (metric: " + Truncated(name_) +
                           ", label name: " + Truncated(name) +
                           ", length: " + std::to_string(name.size()) +
                           ", limit: " + std::to_string(name_limit) + ")");
    }
    if (value_limit != 0 && value.size() > value_limit) {
      return Status::Error("label_value_length_limit exceeded (metric: " + Truncated(name_) +
                           ", label name: " + Truncated(name) + ", value: " +
                           QuoteForError(value, 50) + ", length: " + std::to_string(value.size()) +
                           ", limit: " + std::to_string(value_limit) + ")");
    }
    return Status::Ok();
  };
  // Prometheus counts the metric name as the value of __name__.
  if (Status s = check(kMetricNameLabel, name_); !s.ok()) return s;
  for (const auto& label : labels_) {
    if (Status s = check(label.name, label.value); !s.ok()) return s;
  }
  return Status::Ok();
}

Labels ExpositionBuilder::SortedLabels(Status& status) {
  std::erase_if(labels_, [](const PendingLabel& l) { return l.value.empty(); });
  std::sort(labels_.begin(), labels_.end(),
            [](const PendingLabel& a, const PendingLabel& b) { return a.name < b.name; });
  Labels labels;
  labels.Reserve(labels_.size());
  for (size_t i = 0; i < labels_.size(); ++i) {
    const std::string_view name = labels_[i].name;
    if (name == kMetricNameLabel || (i > 0 && labels_[i - 1].name == name)) {
      status = Status::Error("label name \"" + std::string(name) +
                             "\" is not unique (metric: " + Truncated(name_) + ")");
      return {};
    }
    // Sorted and unique, so each Set appends at the end.
    labels.Set(name, labels_[i].value);
  }
  return labels;
}

Status ExpositionBuilder::FinishSample(double value, std::optional<int64_t> timestamp_ms) {
  if (limits_.sample_limit != 0 && result_.samples.size() >= limits_.sample_limit) {
    return Status::Error("sample_limit exceeded (limit: " + std::to_string(limits_.sample_limit) +
                         ")");
  }
  for (auto& label : labels_) {
    if (label.unescaped >= 0) label.value = unescaped_[size_t(label.unescaped)];
  }
  if (Status s = CheckLengths(); !s.ok()) return s;
  Status status;
  Labels labels = SortedLabels(status);
  if (!status.ok()) return status;
  const uint32_t family = FamilyOf(name_);
  result_.samples.push_back(
      ExposedSample{Series{std::string(name_), std::move(labels), value}, timestamp_ms, family});
  return Status::Ok();
}

}  // namespace opswatch::exposition
