// Assembles what the exposition grammars read into a ParsedExposition: label sets sorted and
// checked (duplicate names, limits), families declared by metadata lines, each sample tied to its
// family. Grammars report syntax; everything about meaning happens here, once for both formats.
// Thread-safety: none; one builder per parse.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collectors/exposition_parser.hpp"
#include "core/status.hpp"

namespace opswatch::exposition {

class ExpositionBuilder {
 public:
  explicit ExpositionBuilder(const ExpositionLimits& limits) : limits_(limits) {}
  ExpositionBuilder(const ExpositionBuilder&) = delete;
  ExpositionBuilder& operator=(const ExpositionBuilder&) = delete;

  // Metadata lines make their family the current one, which the following samples join when
  // their names fit its type (foo_bucket for histogram foo, foo_total for counter foo, ...).
  void SetHelp(std::string_view family, std::string help);
  void SetType(std::string_view family, ExposedType type);
  void SetUnit(std::string_view family, std::string_view unit);

  // A sample is StartSample with its metric name, AddLabel for each label as written (raw:
  // escapes not yet undone), then FinishSample. Errors carry no position; the grammar adds it.
  // `name` and the raw values must stay valid until FinishSample.
  void StartSample(std::string_view name);
  Status AddLabel(std::string_view name, std::string_view raw_value, bool has_escapes);
  Status FinishSample(double value, std::optional<int64_t> timestamp_ms);

  // Room for about `n` samples, so the sample vector does not regrow (and move) while parsing.
  void ReserveSamples(size_t n) { result_.samples.reserve(n); }

  ParsedExposition Finish() && { return std::move(result_); }

 private:
  struct PendingLabel {
    std::string_view name;
    std::string_view value;  // raw, or unescaped_[unescaped] once resolved
    int unescaped = -1;
  };

  uint32_t Declare(std::string_view family);
  uint32_t FamilyOf(std::string_view series_name);
  Status CheckLengths() const;
  Labels SortedLabels(Status& status);

  const ExpositionLimits limits_;
  ParsedExposition result_;
  // Family names to their index. The key is a copy: families_ may move its strings.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> family_index_;
  std::optional<uint32_t> current_;        // the family of the last metadata line
  std::optional<uint32_t> last_implicit_;  // the last family a sample without metadata made

  // Scratch for the sample being built, kept between samples so steady state does not allocate.
  std::string_view name_;
  std::vector<PendingLabel> labels_;
  std::vector<std::string> unescaped_;  // only the first unescaped_used_ belong to this sample
  size_t unescaped_used_ = 0;
  size_t non_empty_labels_ = 0;
};

}  // namespace opswatch::exposition
