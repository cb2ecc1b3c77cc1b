// Tokenizer for the PromQL subset. Lexes the whole text up front so the parser can look ahead.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"

namespace opswatch::promql {

enum class TokenKind {
  kEnd,
  kIdentifier,  // metric names, label names, keywords, function names, Inf/NaN
  kNumber,
  kDuration,  // 5m, 1h30m, 250ms
  kString,    // value already unescaped
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kColon,
  kAt,
  kAssign,  // =  (label matcher)
  kEqlRegex,
  kNeqRegex,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEql,
  kNeq,
  kGtr,
  kLss,
  kGte,
  kLte,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;      // source text (unescaped value for strings)
  double number = 0;     // kNumber
  long long millis = 0;  // kDuration
  int line = 1;
  int column = 1;
};

// "<line>:<col>: <problem>" on a lexical error (bad escape, unterminated string, stray byte).
Result<std::vector<Token>> Lex(std::string_view text);

std::string_view TokenKindText(TokenKind kind);

}  // namespace opswatch::promql
