// The config readers of the JSON check language, shared by every collector type that judges a JSON
// document (http's response body, command's stdout): `checks` (expressions, collectors/check_expr)
// and `export` (JSON paths whose numbers and booleans become gauges). One implementation, so both
// types accept the same text and word their errors the same way.
// Thread-safety: not thread-safe (config loading is single-threaded).
#pragma once

#include <string>
#include <vector>

#include "collectors/check_expr.hpp"
#include "collectors/json_path.hpp"
#include "core/config_reader.hpp"

namespace opswatch {

struct JsonExport {
  std::string field;  // as configured; the `field` label
  JsonPath path;
};

// Reads `checks`: a list of distinct check expressions. Records problems in reader.errors() and
// returns false on any.
bool ReadChecks(MapReader& reader, std::vector<CheckExpr>& checks);

// Reads `export`: a list of distinct JSON paths.
bool ReadJsonExports(MapReader& reader, std::vector<JsonExport>& exports);

}  // namespace opswatch
