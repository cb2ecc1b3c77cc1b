#include "collectors/exposition_float.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "collectors/exposition_lexing.hpp"

namespace opswatch::exposition {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

// Go's special values: an optional sign before "inf"/"infinity", none before "nan".
bool ParseSpecial(std::string_view text, double& out) {
  if (EqualsIgnoreCase(text, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  double sign = 1;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    sign = text[0] == '-' ? -1 : 1;
    text.remove_prefix(1);
  }
  if (EqualsIgnoreCase(text, "inf") || EqualsIgnoreCase(text, "infinity")) {
    out = sign * std::numeric_limits<double>::infinity();
    return true;
  }
  return false;
}

// The decimal grammar [+-]? digits? ('.' digits?)? ([eE] [+-]? digits)? with at least one mantissa
// digit. On success, `magnitude` is the power of ten of the first significant digit (saturated),
// which tells an overflow from an underflow when the value does not fit.
bool CheckDecimal(std::string_view text, int64_t& magnitude) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  int64_t integer_digits = 0, leading_zeros = 0, digits = 0;
  bool seen_dot = false, seen_nonzero = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (IsDigit(c)) {
      ++digits;
      if (!seen_dot) ++integer_digits;
      if (c != '0') seen_nonzero = true;
      if (!seen_nonzero) ++leading_zeros;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (digits == 0) return false;
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    if (i == text.size()) return false;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      // Saturate: any exponent past a billion already decides over- or underflow.
      if (exponent < 1000000000) exponent = exponent * 10 + (text[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  if (i != text.size()) return false;
  magnitude = exponent + integer_digits - leading_zeros - 1;
  return true;
}

}  // namespace

NumberError ParseGoFloat(std::string_view text, double& out) {
  if (text.find_first_of("pP_") != std::string_view::npos) return NumberError::kUnsupported;
  if (text.empty()) return NumberError::kSyntax;
  if (ParseSpecial(text, out)) return NumberError::kNone;
  int64_t magnitude = 0;
  if (!CheckDecimal(text, magnitude)) return NumberError::kSyntax;
  const bool negative = text[0] == '-';
  if (text[0] == '+') text.remove_prefix(1);  // from_chars takes '-' but not '+'
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec == std::errc::result_out_of_range) {
    if (magnitude >= 0) return NumberError::kOutOfRange;
    out = negative ? -0.0 : 0.0;
    return NumberError::kNone;
  }
  if (ec != std::errc() || end != text.data() + text.size()) return NumberError::kSyntax;
  return NumberError::kNone;
}

NumberError ParseDecimalInt64(std::string_view digits, int64_t& out) {
  if (digits.empty()) return NumberError::kSyntax;
  uint64_t value = 0;
  for (char c : digits) {
    if (!IsDigit(c)) return NumberError::kSyntax;
    uint64_t digit = uint64_t(c - '0');
    if (value > (uint64_t(std::numeric_limits<int64_t>::max()) - digit) / 10) {
      return NumberError::kOutOfRange;
    }
    value = value * 10 + digit;
  }
  out = int64_t(value);
  return NumberError::kNone;
}

NumberError SecondsToMilliseconds(double seconds, int64_t& out) {
  if (std::isnan(seconds) || std::isinf(seconds)) return NumberError::kSyntax;
  const double ms = seconds * 1000;
  // 2^63 exactly: the first double past int64's range on either side.
  constexpr double kLimit = 9223372036854775808.0;
  if (!(ms > -kLimit && ms < kLimit)) return NumberError::kOutOfRange;
  out = int64_t(ms);
  return NumberError::kNone;
}

std::string NumberErrorMessage(NumberError error, std::string_view what, std::string_view token) {
  const std::string quoted = QuoteForError(token);
  switch (error) {
    case NumberError::kUnsupported:
      return "unsupported character in float " + std::string(what) + " " + quoted;
    case NumberError::kOutOfRange:
      return std::string(what) + " " + quoted + " out of range";
    default:
      return "expected a float " + std::string(what) + ", got " + quoted;
  }
}

}  // namespace opswatch::exposition
