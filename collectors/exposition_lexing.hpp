// The lexical pieces both exposition grammars share: character classes of names, quoted label
// values and their escapes, and error messages that name a line and column.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/labels.hpp"  // the name grammar

namespace opswatch::exposition {

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The end of the run of `in` from `i` whose bytes satisfy `pred`.
template <class Predicate>
size_t ScanWhile(std::string_view in, size_t i, Predicate pred) {
  while (i < in.size() && pred(in[i])) ++i;
  return i;
}

// How the two formats differ inside a quoted label value.
struct QuotedRules {
  bool newline_allowed;  // the text format lets a raw newline into a label value
  bool nul_allowed;      // OpenMetrics exemplar label values refuse NUL, other values take it
};

// A quoted value starting at in[i] == '"': the offset just past the closing quote, or npos when
// the value is unterminated or holds a byte `rules` refuse. A backslash escapes any following
// byte but a newline. `has_escapes` says whether the value needs Unescape.
size_t ScanQuoted(std::string_view in, size_t i, QuotedRules rules, bool& has_escapes);

// Appends `raw` with \\ and \n undone, and \" too when `quote` is set (label values and
// OpenMetrics HELP; the text format's HELP keeps \"). Other escapes stay as written, as in
// Prometheus.
void AppendUnescaped(std::string& out, std::string_view raw, bool quote);

// Whether `text` is valid UTF-8; ASCII is checked eight bytes at a time.
bool IsValidUtf8Fast(std::string_view text);

// "line:col: message" for the byte at `offset` of `in` (1-based, columns in bytes).
std::string ErrorAt(std::string_view in, size_t offset, std::string_view message);

// `message` + ", got " + what stands at `offset` (a short quoted excerpt, or "end of input").
std::string ExpectedAt(std::string_view in, size_t offset, std::string_view message);

// `text` in double quotes with Go-style escapes for quotes, backslashes, control bytes and invalid
// UTF-8, cut to about `max_bytes` bytes of input: error messages echo untrusted text.
std::string QuoteForError(std::string_view text, size_t max_bytes = 40);

}  // namespace opswatch::exposition
