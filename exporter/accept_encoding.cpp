#include "exporter/accept_encoding.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

namespace opswatch {
namespace {

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A qvalue: "0", "0.", "0.5", "1", "1.000" (at most three decimals); nullopt when malformed.
std::optional<double> ParseQValue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  if (text.size() == 1) return text[0] == '1' ? 1.0 : 0.0;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  double value = text[0] == '1' ? 1.0 : 0.0;
  double scale = 0.1;
  for (char c : text.substr(2)) {
    if (c < '0' || c > '9' || (text[0] == '1' && c != '0')) return std::nullopt;
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value;
}

// The weight of one list element ("gzip;q=0.5" -> 0.5, "gzip" -> 1); 0 when malformed.
double Weight(std::string_view params) {
  double weight = 1.0;
  while (!params.empty()) {
    size_t semicolon = params.find(';');
    std::string_view param = TrimSpace(params.substr(0, semicolon));
    params =
        semicolon == std::string_view::npos ? std::string_view() : params.substr(semicolon + 1);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos || Lower(TrimSpace(param.substr(0, eq))) != "q") continue;
    std::optional<double> q = ParseQValue(TrimSpace(param.substr(eq + 1)));
    weight = q ? *q : 0.0;
  }
  return weight;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<double> gzip;
  std::optional<double> any;
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    size_t semicolon = element.find(';');
    std::string coding = Lower(TrimSpace(element.substr(0, semicolon)));
    double weight =
        semicolon == std::string_view::npos ? 1.0 : Weight(element.substr(semicolon + 1));
    if (coding == "gzip" || coding == "x-gzip") {
      gzip = std::max(gzip.value_or(0.0), weight);
    } else if (coding == "*") {
      any = std::max(any.value_or(0.0), weight);
    }
  }
  if (gzip) return *gzip > 0;
  return any && *any > 0;
}

}  // namespace opswatch
