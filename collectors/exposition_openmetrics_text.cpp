// OpenMetrics 1.0 text, token for token as Prometheus's OpenMetrics lexer and parser read it:
// exactly one space between tokens, none inside braces, every line ends with a newline, and the
// exposition ends with "# EOF" and nothing after it.
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "collectors/exposition_float.hpp"
#include "collectors/exposition_grammars.hpp"
#include "collectors/exposition_lexing.hpp"

namespace opswatch::exposition {
namespace {

bool IsTokenByte(char c) { return c != ' ' && c != '\n'; }

class OpenMetricsParser {
 public:
  OpenMetricsParser(std::string_view in, ExpositionBuilder& builder) : in_(in), builder_(builder) {}

  Status Run() {
    while (true) {
      if (pos_ >= in_.size()) return Fail(pos_, "data does not end with # EOF");
      const char c = in_[pos_];
      Status status;
      if (c == '#') {
        bool eof = false;
        status = HashLine(eof);
        if (eof || !status.ok()) return status;
      } else if (IsMetricNameStart(c)) {
        status = Sample();
        if (!status.ok()) return status;
      } else {
        return Expected(pos_, "expected a valid start token");
      }
    }
  }

 private:
  Status Fail(size_t at, std::string_view message) const {
    return Status::Error(ErrorAt(in_, at, message));
  }
  Status Expected(size_t at, std::string_view what) const {
    return Fail(at, ExpectedAt(in_, at, what));
  }

  bool At(size_t at, std::string_view text) const { return in_.substr(at).starts_with(text); }
  // " " followed by at least one token byte: how a value or timestamp starts.
  bool TokenFollows(size_t at) const {
    return at + 1 < in_.size() && in_[at] == ' ' && IsTokenByte(in_[at + 1]);
  }

  // "# HELP", "# TYPE", "# UNIT" or "# EOF"; OpenMetrics has no other comments.
  Status HashLine(bool& eof) {
    if (!At(pos_, "# ")) return Expected(pos_ + 1, "expected a space after #");
    const size_t keyword = pos_ + 2;
    if (At(keyword, "EOF")) {
      size_t end = keyword + 3;
      if (end < in_.size() && in_[end] == '\n') ++end;
      if (end != in_.size()) return Fail(end, "unexpected data after # EOF");
      eof = true;
      return Status::Ok();
    }
    for (std::string_view word : {"HELP", "TYPE", "UNIT"}) {
      if (At(keyword, word) && At(keyword + 4, " ")) return Metadata(word, keyword + 5);
    }
    return Expected(keyword, "expected HELP, TYPE, UNIT or EOF after \"# \"");
  }

  Status Metadata(std::string_view kind, size_t at) {
    if (at >= in_.size() || !IsMetricNameStart(in_[at])) {
      return Expected(at, "expected metric name after " + std::string(kind));
    }
    const size_t name_end = ScanWhile(in_, at, IsMetricNameChar);
    const std::string_view name = in_.substr(at, name_end - at);
    const void* nl = std::memchr(in_.data() + name_end, '\n', in_.size() - name_end);
    if (name_end >= in_.size() || in_[name_end] != ' ' || nl == nullptr) {
      return Expected(name_end, "expected text in " + std::string(kind));
    }
    const size_t line_end = size_t(static_cast<const char*>(nl) - in_.data());
    const size_t text_at = name_end + 1;
    const std::string_view text = in_.substr(text_at, line_end - text_at);
    pos_ = line_end + 1;
    if (kind == "TYPE") {
      std::optional<ExposedType> type = ParseType(text);
      if (!type) return Fail(text_at, "invalid metric type " + QuoteForError(text));
      builder_.SetType(name, *type);
    } else if (kind == "HELP") {
      if (!IsValidUtf8Fast(text)) {
        return Fail(text_at, "help text " + QuoteForError(text) + " is not a valid utf8 string");
      }
      std::string unescaped;
      AppendUnescaped(unescaped, text, /*quote=*/true);
      builder_.SetHelp(name, std::move(unescaped));
    } else {
      // A unit must be the name's last underscore-separated part: seconds for foo_seconds.
      const bool suffix = name.size() > text.size() && name.ends_with(text) &&
                          name[name.size() - text.size() - 1] == '_';
      if (!text.empty() && !suffix) {
        return Fail(text_at, "unit " + QuoteForError(text) + " not a suffix of metric " +
                                 QuoteForError(name, 100));
      }
      builder_.SetUnit(name, text);
    }
    return Status::Ok();
  }

  static std::optional<ExposedType> ParseType(std::string_view word) {
    if (word == "counter") return ExposedType::kCounter;
    if (word == "gauge") return ExposedType::kGauge;
    if (word == "histogram") return ExposedType::kHistogram;
    if (word == "gaugehistogram") return ExposedType::kGaugeHistogram;
    if (word == "summary") return ExposedType::kSummary;
    if (word == "info") return ExposedType::kInfo;
    if (word == "stateset") return ExposedType::kStateset;
    if (word == "unknown") return ExposedType::kUntyped;
    return std::nullopt;
  }

  // name[{labels}] value [timestamp] [# {exemplar labels} value [timestamp]] newline
  Status Sample() {
    const size_t start = pos_;
    const size_t name_end = ScanWhile(in_, pos_, IsMetricNameChar);
    const std::string_view name = in_.substr(start, name_end - start);
    builder_.StartSample(name);
    size_t at = name_end;
    if (at < in_.size() && in_[at] == '{') {
      if (Status status = Labels(at, /*exemplar=*/false); !status.ok()) return status;
    }
    if (!TokenFollows(at)) return Expected(at, "expected value after metric");
    const size_t value_end = ScanWhile(in_, at + 1, IsTokenByte);
    const std::string_view value_text = in_.substr(at + 1, value_end - at - 1);
    double value;
    if (NumberError error = ParseGoFloat(value_text, value); error != NumberError::kNone) {
      return Fail(at + 1, NumberErrorMessage(error, "value", value_text));
    }
    at = value_end;
    std::optional<int64_t> timestamp;
    if (at >= in_.size()) return Fail(at, "data does not end with # EOF");
    if (in_[at] != '\n' && !At(at, " # {")) {
      if (!TokenFollows(at)) return Expected(at, "expected timestamp or # symbol");
      const size_t ts_end = ScanWhile(in_, at + 1, IsTokenByte);
      const std::string_view ts_text = in_.substr(at + 1, ts_end - at - 1);
      if (Status status = Timestamp(at + 1, ts_text, timestamp); !status.ok()) return status;
      at = ts_end;
      if (at >= in_.size() || (in_[at] != '\n' && !At(at, " # {"))) {
        return Expected(at, "expected next entry after timestamp");
      }
    }
    if (in_[at] != '\n') {
      if (Status status = Exemplar(name, at); !status.ok()) return status;
    }
    if (Status status = builder_.FinishSample(value, timestamp); !status.ok()) {
      return Fail(start, status.message());
    }
    pos_ = at + 1;
    return Status::Ok();
  }

  Status Timestamp(size_t at, std::string_view text, std::optional<int64_t>& out) {
    double seconds;
    if (NumberError error = ParseGoFloat(text, seconds); error != NumberError::kNone) {
      return Fail(at, NumberErrorMessage(error, "timestamp", text));
    }
    int64_t ms;
    NumberError error = SecondsToMilliseconds(seconds, ms);
    if (error == NumberError::kSyntax) return Fail(at, "invalid timestamp " + QuoteForError(text));
    if (error != NumberError::kNone) return Fail(at, NumberErrorMessage(error, "timestamp", text));
    out = ms;
    return Status::Ok();
  }

  // " # {labels} value [timestamp]" at `at`, read and checked, then dropped; leaves `at` on the
  // newline that ends the line.
  Status Exemplar(std::string_view name, size_t& at) {
    if (!name.ends_with("_total") && !name.ends_with("_bucket")) {
      return Fail(at + 1,
                  "metric name " + QuoteForError(name, 100) + " does not support exemplars");
    }
    at += 3;  // onto the '{'
    if (Status status = Labels(at, /*exemplar=*/true); !status.ok()) return status;
    if (!TokenFollows(at)) return Expected(at, "expected value after exemplar labels");
    const size_t value_end = ScanWhile(in_, at + 1, IsTokenByte);
    const std::string_view value_text = in_.substr(at + 1, value_end - at - 1);
    double value;
    if (NumberError error = ParseGoFloat(value_text, value); error != NumberError::kNone) {
      return Fail(at + 1, NumberErrorMessage(error, "exemplar value", value_text));
    }
    at = value_end;
    if (at >= in_.size()) return Fail(at, "data does not end with # EOF");
    if (in_[at] == '\n') return Status::Ok();
    if (!TokenFollows(at)) return Expected(at, "expected timestamp or end of line after exemplar");
    const size_t ts_end = ScanWhile(in_, at + 1, IsTokenByte);
    const std::string_view ts_text = in_.substr(at + 1, ts_end - at - 1);
    double seconds;
    if (NumberError error = ParseGoFloat(ts_text, seconds); error != NumberError::kNone) {
      return Fail(at + 1, NumberErrorMessage(error, "exemplar timestamp", ts_text));
    }
    if (std::isnan(seconds) || std::isinf(seconds)) {
      return Fail(at + 1, "invalid exemplar timestamp " + QuoteForError(ts_text));
    }
    at = ts_end;
    if (at >= in_.size() || in_[at] != '\n') {
      return Expected(at, "expected next entry after exemplar timestamp");
    }
    return Status::Ok();
  }

  // From the '{' at `at` to just past the '}': name="value" pairs separated by single commas,
  // nothing else in between. Exemplar labels are checked but not kept, and refuse NUL.
  Status Labels(size_t& at, bool exemplar) {
    ++at;
    for (bool first = true;; first = false) {
      const char c = at < in_.size() ? in_[at] : '\0';
      if (at < in_.size() && c == '}') {
        ++at;
        return Status::Ok();
      }
      if (at < in_.size() && c == ',' && !first) {
        ++at;
        if (at >= in_.size() || !IsLabelNameStart(in_[at])) {
          return Expected(at, "expected label name");
        }
      } else if (at < in_.size() && IsLabelNameStart(c)) {
        if (!first) return Expected(at, "expected comma");
      } else {
        return Expected(
            at, first ? "expected label name or right brace" : "expected comma or right brace");
      }
      const size_t name_end = ScanWhile(in_, at, IsLabelNameChar);
      const std::string_view name = in_.substr(at, name_end - at);
      at = name_end;
      if (at >= in_.size() || in_[at] != '=') return Expected(at, "expected equal");
      ++at;
      if (at >= in_.size() || in_[at] != '"') return Expected(at, "expected label value");
      bool has_escapes;
      const size_t value_end =
          ScanQuoted(in_, at, {.newline_allowed = false, .nul_allowed = !exemplar}, has_escapes);
      if (value_end == std::string_view::npos) {
        return Fail(at, exemplar ? "expected label value, got an unterminated string (or one "
                                   "with a newline or NUL)"
                                 : "expected label value, got an unterminated string (or one "
                                   "with a newline)");
      }
      const std::string_view raw = in_.substr(at + 1, value_end - at - 2);
      if (!IsValidUtf8Fast(raw)) {
        return Fail(at, "invalid UTF-8 label value: " + QuoteForError(raw));
      }
      if (!exemplar) {
        if (Status status = builder_.AddLabel(name, raw, has_escapes); !status.ok()) {
          return Fail(at, status.message());
        }
      }
      at = value_end;
    }
  }

  const std::string_view in_;
  ExpositionBuilder& builder_;
  size_t pos_ = 0;
};

}  // namespace

Status ParseOpenMetricsText(std::string_view in, ExpositionBuilder& builder) {
  return OpenMetricsParser(in, builder).Run();
}

}  // namespace opswatch::exposition
