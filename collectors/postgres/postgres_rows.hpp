// How a custom query's rows become samples (pure, no I/O): numeric columns are values (the column
// named `value` when there is one, otherwise the only numeric column), every other column is a
// label; a row whose value is NULL is skipped. Also the name rules for custom metrics.
#pragma once

#include <string>
#include <vector>

#include "collectors/postgres/postgres_connection.hpp"
#include "core/metric.hpp"
#include "core/status.hpp"

namespace opswatch {

// pg_type oids that hold numbers: int2/4/8, oid, float4/8, numeric, bool (1/0).
bool IsNumericPgType(unsigned int type_oid);

// Maps rows to samples. Errors: no numeric column, several numeric columns and none named `value`,
// a column that is not a legal label name, two rows with the same labels, an unparsable number.
Result<std::vector<Sample>> RowsToSamples(const PgResult& result);

// Checks a custom query's metric name: legal Prometheus name, not one of opswatch's own metric
// names (postgres_metrics::kFamilies and the self-metric prefixes), counters end in _total (so
// `promtool check metrics` stays quiet). Empty when fine, otherwise the message (without the key
// path).
std::string CheckCustomMetricName(const std::string& name, MetricType type);

}  // namespace opswatch
