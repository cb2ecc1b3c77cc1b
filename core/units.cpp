#include "core/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace opswatch {
namespace {

struct Unit {
  std::string_view name;
  int64_t millis;
};
// Order matters: longest match first for "ms" vs "m", and each unit may appear once, in this order.
constexpr Unit kUnits[] = {{"y", 365LL * 24 * 3600 * 1000},
                           {"w", 7LL * 24 * 3600 * 1000},
                           {"d", 24LL * 3600 * 1000},
                           {"h", 3600LL * 1000},
                           {"m", 60LL * 1000},
                           {"s", 1000},
                           {"ms", 1}};

}  // namespace

Result<Millis> ParseDuration(std::string_view text) {
  auto invalid = [&] {
    return Result<Millis>::Error("invalid duration \"" + std::string(text) +
                                 "\" (use e.g. 500ms, 30s, 5m, 26h, 7d)");
  };
  if (text == "0") return Millis(0);
  if (text.empty()) return invalid();
  int64_t total = 0;
  size_t pos = 0;
  int last_unit = -1;
  while (pos < text.size()) {
    size_t digits_start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    int64_t number = 0;
    if (std::from_chars(text.data() + digits_start, text.data() + pos, number).ec != std::errc()) {
      return invalid();  // no digits, or more than int64 holds
    }
    size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    int found = -1;
    for (int i = 0; i < static_cast<int>(std::size(kUnits)); ++i) {
      if (kUnits[i].name == unit) found = i;
    }
    if (found < 0 || found <= last_unit) return invalid();
    last_unit = found;
    int64_t unit_total = 0;
    if (__builtin_mul_overflow(number, kUnits[found].millis, &unit_total) ||
        __builtin_add_overflow(total, unit_total, &total)) {
      return invalid();  // past ~292 million years
    }
  }
  return Millis(total);
}

std::string FormatDuration(Millis d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (const auto& unit : kUnits) {
    // Years and weeks only when they divide the rest exactly: Prometheus prints 90d, not 12w6d.
    bool exact_only = unit.name == "y" || unit.name == "w";
    if (exact_only && ms % unit.millis != 0) continue;
    if (ms >= unit.millis) {
      out += std::to_string(ms / unit.millis);
      out += unit.name;
      ms %= unit.millis;
    }
  }
  return out;
}

Result<uint64_t> ParseSize(std::string_view text) {
  auto invalid = [&] {
    return Result<uint64_t>::Error("invalid size \"" + std::string(text) +
                                   "\" (use e.g. 1024, 10KiB, 5MiB, 2GiB, 1GB)");
  };
  size_t pos = 0;
  while (pos < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.')) {
    ++pos;
  }
  if (pos == 0) return invalid();
  std::string number_text(text.substr(0, pos));
  char* end = nullptr;
  double number = std::strtod(number_text.c_str(), &end);
  if (end != number_text.c_str() + number_text.size() || !std::isfinite(number)) return invalid();
  std::string_view unit = text.substr(pos);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  struct SizeUnit {
    std::string_view name;
    double factor;
  };
  static constexpr SizeUnit kSizeUnits[] = {{"", 1},
                                            {"B", 1},
                                            {"KB", 1e3},
                                            {"MB", 1e6},
                                            {"GB", 1e9},
                                            {"TB", 1e12},
                                            {"KiB", 1024.0},
                                            {"MiB", 1024.0 * 1024},
                                            {"GiB", 1024.0 * 1024 * 1024},
                                            {"TiB", 1024.0 * 1024 * 1024 * 1024}};
  for (const auto& u : kSizeUnits) {
    if (u.name == unit) {
      double bytes = number * u.factor;
      if (bytes > 1.8e19) return invalid();
      return static_cast<uint64_t>(bytes + 0.5);
    }
  }
  return invalid();
}

std::string FormatSize(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes == 0 || bytes % 1024 != 0) return std::to_string(bytes) + " bytes";
  int unit = -1;
  while (unit + 1 < 4 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + " " + kUnits[unit];
}

}  // namespace opswatch
