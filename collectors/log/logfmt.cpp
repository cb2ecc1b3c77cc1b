#include "collectors/log/logfmt.hpp"

#include <string>

#include "core/utf8.hpp"

namespace opswatch {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// A key or unquoted value byte: printable (or UTF-8), not a separator or quote.
bool IsWordByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > ' ' && c != '=' && c != '"' && u != 0x7f;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a quoted value starting after its opening quote; `pos` ends after the closing quote.
std::optional<std::string> ReadQuoted(std::string_view line, size_t& pos) {
  std::string out;
  while (pos < line.size()) {
    char c = line[pos++];
    if (c == '"') return out;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (pos >= line.size()) return std::nullopt;
    char e = line[pos++];
    switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        if (pos + 4 > line.size()) return std::nullopt;
        uint32_t code = 0;
        for (int i = 0; i < 4; ++i) {
          int digit = HexDigit(line[pos++]);
          if (digit < 0) return std::nullopt;
          code = code * 16 + uint32_t(digit);
        }
        // A lone surrogate half is not a character; go-logfmt never writes one.
        if (code >= 0xD800 && code <= 0xDFFF) return std::nullopt;
        AppendUtf8(out, code);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;  // unterminated
}

// An unquoted value as typed JSON: numbers and booleans as such, the rest as text.
nlohmann::json TypedWord(std::string_view word) {
  if (word == "true") return true;
  if (word == "false") return false;
  char first = word.empty() ? '\0' : word[0];
  if (first == '-' || (first >= '0' && first <= '9')) {
    nlohmann::json number = nlohmann::json::parse(word, nullptr, /*allow_exceptions=*/false);
    if (number.is_number()) return number;
  }
  return std::string(word);
}

}  // namespace

std::optional<nlohmann::json> ParseLogfmt(std::string_view line) {
  nlohmann::json fields = nlohmann::json::object();
  size_t pos = 0;
  while (true) {
    while (pos < line.size() && IsSpace(line[pos])) ++pos;
    if (pos >= line.size()) break;
    size_t key_start = pos;
    while (pos < line.size() && IsWordByte(line[pos])) ++pos;
    if (pos == key_start) return std::nullopt;  // `=` or `"` where a key belongs
    std::string key(line.substr(key_start, pos - key_start));
    if (pos >= line.size() || IsSpace(line[pos])) {
      fields[key] = true;
      continue;
    }
    if (line[pos] != '=') return std::nullopt;  // a quote inside a key
    ++pos;
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      auto text = ReadQuoted(line, pos);
      if (!text) return std::nullopt;
      if (pos < line.size() && !IsSpace(line[pos])) return std::nullopt;
      fields[key] = std::move(*text);
      continue;
    }
    size_t value_start = pos;
    while (pos < line.size() && !IsSpace(line[pos])) {
      if (line[pos] == '"') return std::nullopt;
      ++pos;
    }
    fields[key] = TypedWord(line.substr(value_start, pos - value_start));
  }
  return fields;
}

}  // namespace opswatch
