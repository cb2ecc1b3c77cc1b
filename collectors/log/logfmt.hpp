// logfmt lines (`level=warn msg="disk slow" took_ms=2150 retry`), as go-logfmt and the Go, Ruby
// and Python loggers write them, read into a flat JSON object so events match and label them
// with the same check language and field lookup as JSON lines (README, "type: log").
// Thread-safety: pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace opswatch {

// Pairs are separated by spaces; a key is any run of printable bytes without `=`, `"` or space.
// Values:
//   key=word     a number when the word is a JSON number (took_ms=2150), true/false as booleans,
//                otherwise the text
//   key="..."    always text; escapes \" \\ \n \r \t and \uXXXX as go-logfmt writes them
//   key=         the empty text
//   key          true (a bare flag)
// A repeated key keeps its last value. nullopt for a line that is not logfmt: an unterminated
// quote, a bad escape, `=` without a key, or a quote inside an unquoted value.
std::optional<nlohmann::json> ParseLogfmt(std::string_view line);

}  // namespace opswatch
