// UTF-8 validity, the one rule for text in opswatch: text from config and rule files must be valid
// UTF-8 (checked at load, with a position); text from targets (database rows, mount tables, HTTP
// bodies) is sanitised once where it enters; errors and logs escape what is not valid.
// Valid means RFC 3629: shortest form, no surrogates, nothing above U+10FFFF.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace opswatch {

// Offset of the first byte that does not start a valid sequence; npos when `text` is valid.
size_t FindInvalidUtf8(std::string_view text);
inline bool IsValidUtf8(std::string_view text) {
  return FindInvalidUtf8(text) == std::string_view::npos;
}

// `text` with each byte of an invalid sequence replaced by U+FFFD. For text from the outside that
// becomes a label value, an annotation or a JSON string.
std::string SanitizeUtf8(std::string_view text);

// `text` with every byte of an invalid sequence written as \xNN: for error messages and logs,
// which name the offending bytes instead of echoing them raw.
std::string EscapeInvalidUtf8(std::string_view text);

// Appends code point `cp` (at most U+10FFFF) in UTF-8: for the \u escapes of PromQL strings and
// logfmt values.
void AppendUtf8(std::string& out, unsigned long cp);

}  // namespace opswatch
