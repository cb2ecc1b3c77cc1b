#include "collectors/exposition_lexing.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/utf8.hpp"

namespace opswatch::exposition {

size_t ScanQuoted(std::string_view in, size_t i, QuotedRules rules, bool& has_escapes) {
  has_escapes = false;
  const size_t n = in.size();
  for (size_t j = i + 1; j < n; ++j) {
    const char c = in[j];
    if (c == '"') return j + 1;
    if (c == '\\') {
      // Prometheus's lexer reads an escape as a backslash and any byte but a newline.
      if (j + 1 == n || in[j + 1] == '\n') return std::string_view::npos;
      has_escapes = true;
      ++j;
    } else if ((c == '\n' && !rules.newline_allowed) || (c == '\0' && !rules.nul_allowed)) {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

void AppendUnescaped(std::string& out, std::string_view raw, bool quote) {
  out.reserve(out.size() + raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out += c;
      continue;
    }
    const char next = raw[i + 1];
    if (next == '\\' || next == 'n' || (next == '"' && quote)) {
      out += next == 'n' ? '\n' : next;
      ++i;
    } else {
      out += c;  // an unknown escape stays as written; its second byte follows as itself
    }
  }
}

bool IsValidUtf8Fast(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if (word & 0x8080808080808080ULL) break;
  }
  for (; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) return IsValidUtf8(text.substr(i));
  }
  return true;
}

std::string ErrorAt(std::string_view in, size_t offset, std::string_view message) {
  offset = std::min(offset, in.size());
  const std::string_view before = in.substr(0, offset);
  const size_t line = 1 + size_t(std::count(before.begin(), before.end(), '\n'));
  const size_t line_start = before.rfind('\n');
  const size_t column = line_start == std::string_view::npos ? offset + 1 : offset - line_start;
  std::string out = std::to_string(line) + ":" + std::to_string(column) + ": ";
  out += message;
  return out;
}

std::string ExpectedAt(std::string_view in, size_t offset, std::string_view message) {
  std::string out(message);
  out += ", got ";
  if (offset >= in.size()) return out + "end of input";
  // A name-like token is shown whole; anything else byte by byte, as that byte is what failed.
  size_t end = ScanWhile(in, offset, IsMetricNameChar);
  if (end == offset) end = offset + 1;
  return out + QuoteForError(in.substr(offset, end - offset));
}

std::string QuoteForError(std::string_view text, size_t max_bytes) {
  static const char kHex[] = "0123456789ABCDEF";
  const bool cut = text.size() > max_bytes;
  if (cut) text = text.substr(0, max_bytes);
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          out += "\\x";
          out += kHex[byte >> 4];
          out += kHex[byte & 15];
        } else {
          out += c;  // bytes >= 0x80 are checked as UTF-8 below
        }
    }
  }
  return "\"" + EscapeInvalidUtf8(out) + (cut ? "\"..." : "\"");
}

}  // namespace opswatch::exposition
