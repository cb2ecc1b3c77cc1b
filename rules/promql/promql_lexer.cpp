#include "rules/promql/promql_lexer.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/units.hpp"
#include "core/utf8.hpp"

namespace opswatch::promql {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)); }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

std::string Position(int line, int column) {
  return std::to_string(line) + ":" + std::to_string(column) + ": ";
}

// Go's string-literal escapes, as Prometheus's lexer accepts them.
bool Unescape(std::string_view body, char quote, std::string& out) {
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return false;
    c = body[i];
    auto hex = [&](size_t digits) -> bool {
      unsigned long v = 0;
      for (size_t k = 1; k <= digits; ++k) {
        if (i + k >= body.size() || !std::isxdigit(static_cast<unsigned char>(body[i + k])))
          return false;
        const char h = body[i + k];
        v = v * 16 +
            static_cast<unsigned long>(IsDigit(h) ? h - '0' : (std::tolower(h) - 'a' + 10));
      }
      i += digits;
      if (digits == 2) {
        out += static_cast<char>(v);
      } else {
        AppendUtf8(out, v);
      }
      return true;
    };
    switch (c) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
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
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x':
        if (!hex(2)) return false;
        break;
      case 'u':
        if (!hex(4)) return false;
        break;
      case 'U':
        if (!hex(8)) return false;
        break;
      default:
        if (c == quote) {
          out += c;
        } else if (c >= '0' && c <= '7') {
          if (i + 2 >= body.size()) return false;
          int v = 0;
          for (int k = 0; k < 3; ++k) {
            char d = body[i + k];
            if (d < '0' || d > '7') return false;
            v = v * 8 + (d - '0');
          }
          if (v > 255) return false;
          out += static_cast<char>(v);
          i += 2;
        } else {
          return false;
        }
    }
  }
  return true;
}

}  // namespace

Result<std::vector<Token>> Lex(std::string_view text) {
  std::vector<Token> tokens;
  int line = 1;
  size_t line_start = 0;
  size_t i = 0;
  auto column = [&](size_t at) { return static_cast<int>(at - line_start) + 1; };
  auto push = [&](TokenKind kind, size_t start, size_t end) {
    Token t;
    t.kind = kind;
    t.text = std::string(text.substr(start, end - start));
    t.line = line;
    t.column = column(start);
    tokens.push_back(std::move(t));
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++i;
      ++line;
      line_start = i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '#') {  // comment to end of line
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    const size_t start = i;
    if (IsDigit(c) || (c == '.' && i + 1 < text.size() && IsDigit(text[i + 1]))) {
      if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
        i += 2;
        while (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) ++i;
        push(TokenKind::kNumber, start, i);
        tokens.back().number =
            static_cast<double>(std::strtoull(tokens.back().text.c_str(), nullptr, 16));
        continue;
      }
      // A duration is digits followed by unit letters; anything else numeric is a float.
      size_t j = i;
      while (j < text.size() &&
             (IsDigit(text[j]) || std::isalpha(static_cast<unsigned char>(text[j]))))
        ++j;
      std::string_view word = text.substr(i, j - i);
      if (word.find_first_of("ywdhms") != std::string_view::npos &&
          word.find('e') == std::string_view::npos) {
        // A zero duration is not a duration here (Prometheus: "duration must be greater than 0").
        auto duration = ParseDuration(word);
        if (duration.ok() && duration->count() > 0) {
          i = j;
          push(TokenKind::kDuration, start, i);
          tokens.back().millis = duration->count();
          continue;
        }
      }
      while (i < text.size() && IsDigit(text[i])) ++i;
      if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && IsDigit(text[i])) ++i;
      }
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        size_t k = i + 1;
        if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
        if (k < text.size() && IsDigit(text[k])) {
          i = k;
          while (i < text.size() && IsDigit(text[i])) ++i;
        }
      }
      if (i < text.size() && IsIdentChar(text[i])) {
        return Result<std::vector<Token>>::Error(Position(line, column(start)) +
                                                 "bad number or duration syntax: \"" +
                                                 std::string(text.substr(start, j - start)) + "\"");
      }
      push(TokenKind::kNumber, start, i);
      tokens.back().number = std::strtod(tokens.back().text.c_str(), nullptr);
      continue;
    }
    if (IsIdentStart(c)) {
      while (i < text.size() && IsIdentChar(text[i])) ++i;
      push(TokenKind::kIdentifier, start, i);
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') {
      ++i;
      while (i < text.size() && text[i] != c) {
        if (c != '`' && text[i] == '\\') ++i;
        if (i < text.size() && text[i] == '\n' && c != '`') break;
        ++i;
      }
      if (i >= text.size() || text[i] != c) {
        return Result<std::vector<Token>>::Error(Position(line, column(start)) +
                                                 "unterminated string");
      }
      std::string_view body = text.substr(start + 1, i - start - 1);
      ++i;
      push(TokenKind::kString, start, i);
      std::string value;
      if (c == '`') {
        value = std::string(body);
      } else if (!Unescape(body, c, value)) {
        return Result<std::vector<Token>>::Error(Position(line, column(start)) +
                                                 "invalid escape sequence in string");
      }
      tokens.back().text = std::move(value);
      continue;
    }
    auto two = text.substr(i, 2);
    TokenKind kind;
    size_t len = 1;
    if (two == "==") {
      kind = TokenKind::kEql;
      len = 2;
    } else if (two == "!=") {
      kind = TokenKind::kNeq;
      len = 2;
    } else if (two == ">=") {
      kind = TokenKind::kGte;
      len = 2;
    } else if (two == "<=") {
      kind = TokenKind::kLte;
      len = 2;
    } else if (two == "=~") {
      kind = TokenKind::kEqlRegex;
      len = 2;
    } else if (two == "!~") {
      kind = TokenKind::kNeqRegex;
      len = 2;
    } else {
      switch (c) {
        case '(':
          kind = TokenKind::kLeftParen;
          break;
        case ')':
          kind = TokenKind::kRightParen;
          break;
        case '{':
          kind = TokenKind::kLeftBrace;
          break;
        case '}':
          kind = TokenKind::kRightBrace;
          break;
        case '[':
          kind = TokenKind::kLeftBracket;
          break;
        case ']':
          kind = TokenKind::kRightBracket;
          break;
        case ',':
          kind = TokenKind::kComma;
          break;
        case '@':
          kind = TokenKind::kAt;
          break;
        case '=':
          kind = TokenKind::kAssign;
          break;
        case '+':
          kind = TokenKind::kAdd;
          break;
        case '-':
          kind = TokenKind::kSub;
          break;
        case '*':
          kind = TokenKind::kMul;
          break;
        case '/':
          kind = TokenKind::kDiv;
          break;
        case '%':
          kind = TokenKind::kMod;
          break;
        case '^':
          kind = TokenKind::kPow;
          break;
        case '>':
          kind = TokenKind::kGtr;
          break;
        case '<':
          kind = TokenKind::kLss;
          break;
        default:
          return Result<std::vector<Token>>::Error(
              Position(line, column(start)) + "unexpected character: '" + std::string(1, c) + "'");
      }
    }
    i += len;
    push(kind, start, i);
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.line = line;
  end.column = column(i);
  tokens.push_back(end);
  return tokens;
}

std::string_view TokenKindText(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kIdentifier:
      return "identifier";
    case TokenKind::kNumber:
      return "number";
    case TokenKind::kDuration:
      return "duration";
    case TokenKind::kString:
      return "string";
    default:
      return "token";
  }
}

}  // namespace opswatch::promql
