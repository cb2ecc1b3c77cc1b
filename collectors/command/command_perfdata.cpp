#include "collectors/command/command_perfdata.hpp"

#include <charconv>
#include <cmath>
#include <utility>

#include "core/utf8.hpp"

namespace opswatch {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// A plain decimal number (no inf, nan or hex, which from_chars would accept), or nullopt.
std::optional<double> Number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t digits = text.find_first_not_of("+-.0123456789eE");
  if (digits != std::string_view::npos) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// The factor that takes a value in `unit` to base units; 1 for units we do not know.
double UnitScale(std::string_view unit) {
  static constexpr std::pair<std::string_view, double> kScales[] = {
      {"s", 1},
      {"ms", 1e-3},
      {"us", 1e-6},
      {"%", 0.01},
      {"B", 1},
      {"KB", 1024.0},
      {"MB", 1024.0 * 1024},
      {"GB", 1024.0 * 1024 * 1024},
      {"TB", 1024.0 * 1024 * 1024 * 1024},
      {"c", 1}};
  for (const auto& [name, scale] : kScales) {
    if (unit == name) return scale;
  }
  return 1;
}

// `10`, `10:`, `~:10`, `10:20`, `@10:20`: the end of the range, or its start when open-ended.
std::optional<double> RangeBound(std::string_view range) {
  if (!range.empty() && range.front() == '@') range.remove_prefix(1);
  size_t colon = range.find(':');
  if (colon == std::string_view::npos) return Number(range);
  std::string_view start = range.substr(0, colon);
  std::string_view end = range.substr(colon + 1);
  if (!end.empty()) return Number(end);
  if (start == "~") return std::nullopt;
  return Number(start);
}

// Splits off the next `;`-separated field of `rest`.
std::string_view NextField(std::string_view& rest) {
  size_t semicolon = rest.find(';');
  std::string_view field = rest.substr(0, semicolon);
  rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
  return field;
}

// One datum's data after `=`: value[UOM];warn;crit;min;max. False when malformed or undetermined.
bool ParseData(std::string_view data, Perfdatum& datum) {
  std::string_view value_text = NextField(data);
  size_t unit_at = value_text.find_first_not_of("+-.0123456789eE");
  if (unit_at == 0) return false;  // `U` (undetermined) or garbage
  std::string_view number = value_text.substr(0, unit_at);
  std::string_view unit =
      unit_at == std::string_view::npos ? std::string_view() : value_text.substr(unit_at);
  // "5e" or "1E" would take the unit's first letter for an exponent: retry without it.
  auto value = Number(number);
  while (!value && !number.empty() && (number.back() == 'e' || number.back() == 'E')) {
    number.remove_suffix(1);
    unit = value_text.substr(number.size());
    value = Number(number);
  }
  if (!value) return false;
  const double scale = UnitScale(unit);
  datum.value = *value * scale;
  auto scaled = [scale](std::optional<double> v) -> std::optional<double> {
    if (!v) return std::nullopt;
    return *v * scale;
  };
  datum.warning = scaled(RangeBound(NextField(data)));
  datum.critical = scaled(RangeBound(NextField(data)));
  datum.min = scaled(Number(NextField(data)));
  datum.max = scaled(Number(NextField(data)));
  return true;
}

}  // namespace

void ParsePerfdata(std::string_view text, NagiosOutput& out) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    if (i >= text.size()) break;
    std::string label;
    bool ok = true;
    if (text[i] == '\'') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') {
            label += '\'';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        label += text[i++];
      }
      ok = closed && i < text.size() && text[i] == '=';
    } else {
      while (i < text.size() && text[i] != '=' && !IsSpace(text[i])) label += text[i++];
      ok = i < text.size() && text[i] == '=';
    }
    if (ok) ++i;  // the `=`
    size_t data_begin = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    Perfdatum datum;
    ok = ok && !label.empty() && ParseData(text.substr(data_begin, i - data_begin), datum);
    if (!ok || out.perfdata.size() >= kMaxPerfdata) {
      ++out.skipped;
      continue;
    }
    if (label.size() > kMaxPerfdataLabelBytes) label.resize(kMaxPerfdataLabelBytes);
    datum.label = SanitizeUtf8(label);
    out.perfdata.push_back(std::move(datum));
  }
}

NagiosOutput ParseNagiosOutput(std::string_view text) {
  NagiosOutput out;
  size_t line_end = text.find('\n');
  std::string_view first = text.substr(0, line_end);
  std::string_view rest =
      line_end == std::string_view::npos ? std::string_view() : text.substr(line_end + 1);
  size_t bar = first.find('|');
  out.status_text = SanitizeUtf8(Trim(first.substr(0, bar)));
  if (bar != std::string_view::npos) ParsePerfdata(first.substr(bar + 1), out);
  size_t long_bar = rest.find('|');
  if (long_bar != std::string_view::npos) {
    // After the first `|` of the long text, every line is performance data; a further `|` is not
    // part of the format and separates nothing.
    std::string perfdata(rest.substr(long_bar + 1));
    for (char& c : perfdata) {
      if (c == '|') c = ' ';
    }
    ParsePerfdata(perfdata, out);
  }
  return out;
}

}  // namespace opswatch
