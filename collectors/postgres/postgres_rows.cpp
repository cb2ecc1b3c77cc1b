#include "collectors/postgres/postgres_rows.hpp"

#include <cerrno>
#include <cstdlib>
#include <map>

#include "collectors/postgres/postgres_metrics.hpp"
#include "core/utf8.hpp"

namespace opswatch {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<double> ParseNumber(unsigned int type_oid, const std::string& text) {
  if (type_oid == 16) return text == "t" ? 1.0 : 0.0;  // bool in text format: t / f
  errno = 0;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);  // also NaN, Infinity, -Infinity
  if (end == text.c_str() || *end != '\0' || errno == ERANGE) {
    return Result<double>::Error("cannot read \"" + text + "\" as a number");
  }
  return value;
}

}  // namespace

bool IsNumericPgType(unsigned int type_oid) {
  switch (type_oid) {
    case 16:    // bool
    case 20:    // int8
    case 21:    // int2
    case 23:    // int4
    case 26:    // oid
    case 700:   // float4
    case 701:   // float8
    case 1700:  // numeric
      return true;
    default:
      return false;
  }
}

Result<std::vector<Sample>> RowsToSamples(const PgResult& result) {
  using Out = Result<std::vector<Sample>>;
  int value_column = -1;
  std::vector<std::string> numeric;
  for (size_t c = 0; c < result.columns.size(); ++c) {
    const auto& column = result.columns[c];
    if (column.name == "value") {
      if (!IsNumericPgType(column.type_oid)) {
        return Out::Error("column \"value\" is not numeric (cast it, e.g. value::float8)");
      }
      value_column = static_cast<int>(c);
    }
    if (IsNumericPgType(column.type_oid)) numeric.push_back(column.name);
  }
  if (value_column < 0) {
    if (numeric.empty()) {
      std::string names;
      for (const auto& column : result.columns) names += (names.empty() ? "" : ", ") + column.name;
      return Out::Error("no numeric column to use as the value (columns: " + names + ")");
    }
    if (numeric.size() > 1) {
      std::string names;
      for (const auto& n : numeric) names += (names.empty() ? "" : ", ") + n;
      return Out::Error("several numeric columns (" + names + "); name the one to publish `value`");
    }
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (result.columns[c].name == numeric[0]) value_column = static_cast<int>(c);
    }
  }
  for (size_t c = 0; c < result.columns.size(); ++c) {
    if (static_cast<int>(c) == value_column) continue;
    const std::string& name = result.columns[c].name;
    if (!IsValidLabelName(name) || name.rfind("__", 0) == 0) {
      return Out::Error("column \"" + name + "\" is not a legal label name (alias it with AS)");
    }
    if (name == "collector") {
      return Out::Error("column \"collector\" is reserved for the collector label (alias it)");
    }
  }

  std::vector<Sample> samples;
  std::map<Labels, size_t> seen;  // labels -> row number, to reject duplicate series
  for (size_t row = 0; row < result.rows.size(); ++row) {
    const auto& values = result.rows[row];
    const auto& cell = values[value_column];
    if (!cell) continue;  // NULL value: no sample for this row
    auto number = ParseNumber(result.columns[value_column].type_oid, *cell);
    if (!number) return Out::Error("row " + std::to_string(row + 1) + ": " + number.error());
    Labels labels;
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (static_cast<int>(c) == value_column || !values[c]) continue;
      // Text from the database (any client encoding, SQL_ASCII) becomes a label: sanitised here.
      labels.Set(result.columns[c].name, SanitizeUtf8(*values[c]));
    }
    auto [it, inserted] = seen.emplace(labels, row + 1);
    if (!inserted) {
      return Out::Error("rows " + std::to_string(it->second) + " and " + std::to_string(row + 1) +
                        " have the same labels " + labels.ToString());
    }
    samples.push_back(Sample{std::move(labels), *number, std::nullopt});
  }
  return samples;
}

std::string CheckCustomMetricName(const std::string& name, MetricType type) {
  if (!IsValidMetricName(name)) {
    return "\"" + name + "\" is not a valid metric name (use [a-zA-Z_:][a-zA-Z0-9_:]*)";
  }
  for (const MetricFamilySpec& builtin : postgres_metrics::kFamilies) {
    if (name == builtin.name) return "\"" + name + "\" clashes with a built-in metric";
  }
  // Families opswatch publishes about itself (README, "Metrics"): a custom query must not shadow
  // the collector, rule or notification health a user alerts on.
  for (const char* prefix : {"opswatch_collector_", "opswatch_build_info", "opswatch_config_",
                             "opswatch_rule_", "opswatch_alerts", "opswatch_notification"}) {
    if (name.rfind(prefix, 0) == 0) {
      return "\"" + name + "\" clashes with opswatch's own " + prefix + "* metrics";
    }
  }
  if (type == MetricType::kCounter && !EndsWith(name, "_total")) {
    return "\"" + name + "\" is a counter, so its name must end in _total";
  }
  if (type == MetricType::kGauge && EndsWith(name, "_total")) {
    return "\"" + name + "\" ends in _total, which is for counters (set type: counter)";
  }
  return "";
}

}  // namespace opswatch
