// The text format 0.0.4, token for token as Prometheus's text lexer and parser read it.
#include <cstring>
#include <optional>
#include <string>

#include "collectors/exposition_float.hpp"
#include "collectors/exposition_grammars.hpp"
#include "collectors/exposition_lexing.hpp"

namespace opswatch::exposition {
namespace {

class PrometheusTextParser {
 public:
  PrometheusTextParser(std::string_view in, ExpositionBuilder& builder)
      : in_(in), builder_(builder) {}

  Status Run() {
    while (true) {
      pos_ = ScanWhile(in_, pos_, IsBlank);
      if (pos_ >= in_.size()) return Status::Ok();
      const char c = in_[pos_];
      Status status;
      if (c == '\n') {
        ++pos_;  // blank line
        continue;
      }
      if (c == '#') {
        status = CommentOrMetadata();
      } else if (IsMetricNameStart(c)) {
        status = Sample();
      } else {
        return Expected(pos_, "expected a valid start token");
      }
      if (!status.ok()) return status;
    }
  }

 private:
  Status Fail(size_t at, std::string_view message) const {
    return Status::Error(ErrorAt(in_, at, message));
  }
  Status Expected(size_t at, std::string_view what) const {
    return Fail(at, ExpectedAt(in_, at, what));
  }

  // The offset of the newline ending the line that holds `from`, or the input's size: the last
  // line needs no newline (Prometheus appends one).
  size_t LineEnd(size_t from) const {
    const void* nl = std::memchr(in_.data() + from, '\n', in_.size() - from);
    return nl ? size_t(static_cast<const char*>(nl) - in_.data()) : in_.size();
  }
  size_t NextLine(size_t line_end) const { return line_end < in_.size() ? line_end + 1 : line_end; }

  // "# HELP name text", "# TYPE name type", or any other comment (skipped). The keyword needs a
  // blank before and after it, so "#HELP x" and "# HELPx" are plain comments.
  Status CommentOrMetadata() {
    const size_t after_hash = pos_ + 1;
    const size_t keyword = ScanWhile(in_, after_hash, IsBlank);
    if (keyword > after_hash && keyword + 4 < in_.size() && IsBlank(in_[keyword + 4])) {
      const std::string_view word = in_.substr(keyword, 4);
      if (word == "HELP" || word == "TYPE") {
        return Metadata(word == "HELP", ScanWhile(in_, keyword + 4, IsBlank));
      }
    }
    pos_ = NextLine(LineEnd(pos_));
    return Status::Ok();
  }

  Status Metadata(bool help, size_t at) {
    if (at >= in_.size() || !IsMetricNameStart(in_[at])) {
      return Expected(at,
                      help ? "expected metric name after HELP" : "expected metric name after TYPE");
    }
    const size_t name_end = ScanWhile(in_, at, IsMetricNameChar);
    const std::string_view name = in_.substr(at, name_end - at);
    const size_t line_end = LineEnd(name_end);
    // The rest of the line is the text without its first byte (the separator, whatever it is),
    // or nothing when the rest is only blanks: Prometheus's lexer reads it so.
    std::string_view text = in_.substr(name_end, line_end - name_end);
    const bool only_blanks = ScanWhile(text, 0, IsBlank) == text.size();
    const size_t text_at = only_blanks ? line_end : name_end + 1;
    text = only_blanks ? std::string_view() : text.substr(1);
    pos_ = NextLine(line_end);
    if (!help) {
      std::optional<ExposedType> type = ParseType(text);
      if (!type) return Fail(text_at, "invalid metric type " + QuoteForError(text));
      builder_.SetType(name, *type);
      return Status::Ok();
    }
    if (!IsValidUtf8Fast(text)) {
      return Fail(text_at, "help text " + QuoteForError(text) + " is not a valid utf8 string");
    }
    std::string unescaped;
    AppendUnescaped(unescaped, text, /*quote=*/false);
    builder_.SetHelp(name, std::move(unescaped));
    return Status::Ok();
  }

  static std::optional<ExposedType> ParseType(std::string_view word) {
    if (word == "counter") return ExposedType::kCounter;
    if (word == "gauge") return ExposedType::kGauge;
    if (word == "histogram") return ExposedType::kHistogram;
    if (word == "summary") return ExposedType::kSummary;
    if (word == "untyped") return ExposedType::kUntyped;
    return std::nullopt;
  }

  // name [blanks] [{labels}] blanks value [blanks timestamp] [blanks] newline-or-end
  Status Sample() {
    const size_t start = pos_;
    const size_t name_end = ScanWhile(in_, pos_, IsMetricNameChar);
    builder_.StartSample(in_.substr(start, name_end - start));
    size_t at = ScanWhile(in_, name_end, IsBlank);
    if (at < in_.size() && in_[at] == '{') {
      if (Status status = Labels(at); !status.ok()) return status;
      at = ScanWhile(in_, at, IsBlank);
    }
    // The value runs to the next brace, blank or newline; a NUL ends it too, as it ends
    // Prometheus's value token.
    const size_t value_end = ScanWhile(in_, at, [](char c) {
      return c != '{' && c != ' ' && c != '\t' && c != '\n' && c != '\0';
    });
    if (value_end == at) return Expected(at, "expected value after metric");
    const std::string_view value_text = in_.substr(at, value_end - at);
    double value;
    if (NumberError error = ParseGoFloat(value_text, value); error != NumberError::kNone) {
      return Fail(at, NumberErrorMessage(error, "value", value_text));
    }
    std::optional<int64_t> timestamp;
    at = ScanWhile(in_, value_end, IsBlank);
    if (at < in_.size() && in_[at] != '\n') {
      const size_t digits_end = ScanWhile(in_, at, [](char c) { return c >= '0' && c <= '9'; });
      if (digits_end == at) return Expected(at, "expected timestamp or new record");
      const std::string_view digits = in_.substr(at, digits_end - at);
      int64_t ms;
      if (NumberError error = ParseDecimalInt64(digits, ms); error != NumberError::kNone) {
        return Fail(at, NumberErrorMessage(error, "timestamp", digits));
      }
      timestamp = ms;
      at = ScanWhile(in_, digits_end, IsBlank);
      if (at < in_.size() && in_[at] != '\n') {
        return Expected(at, "expected next entry after timestamp");
      }
    }
    if (Status status = builder_.FinishSample(value, timestamp); !status.ok()) {
      return Fail(start, status.message());
    }
    pos_ = NextLine(at);
    return Status::Ok();
  }

  // From the '{' at `at` to just past the '}': name = "value" pairs with blanks anywhere between
  // tokens; the comma after a pair is optional (Prometheus's parser lets it go), a trailing one
  // is allowed. Values may span lines and hold NUL.
  Status Labels(size_t& at) {
    ++at;
    while (true) {
      at = ScanWhile(in_, at, IsBlank);
      if (at < in_.size() && in_[at] == '}') {
        ++at;
        return Status::Ok();
      }
      if (at >= in_.size() || !IsLabelNameStart(in_[at])) {
        return Expected(at, "expected label name");
      }
      const size_t name_end = ScanWhile(in_, at, IsLabelNameChar);
      const std::string_view name = in_.substr(at, name_end - at);
      at = ScanWhile(in_, name_end, IsBlank);
      if (at >= in_.size() || in_[at] != '=') return Expected(at, "expected equal");
      at = ScanWhile(in_, at + 1, IsBlank);
      if (at >= in_.size() || in_[at] != '"') return Expected(at, "expected label value");
      bool has_escapes;
      const size_t value_end =
          ScanQuoted(in_, at, {.newline_allowed = true, .nul_allowed = true}, has_escapes);
      if (value_end == std::string_view::npos) {
        return Fail(at, "expected label value, got an unterminated string");
      }
      const std::string_view raw = in_.substr(at + 1, value_end - at - 2);
      if (!IsValidUtf8Fast(raw)) {
        return Fail(at, "invalid UTF-8 label value: " + QuoteForError(raw));
      }
      if (Status status = builder_.AddLabel(name, raw, has_escapes); !status.ok()) {
        return Fail(at, status.message());
      }
      at = ScanWhile(in_, value_end, IsBlank);
      if (at < in_.size() && in_[at] == ',') ++at;
    }
  }

  const std::string_view in_;
  ExpositionBuilder& builder_;
  size_t pos_ = 0;
};

}  // namespace

Status ParsePrometheusText(std::string_view in, ExpositionBuilder& builder) {
  return PrometheusTextParser(in, builder).Run();
}

}  // namespace opswatch::exposition
