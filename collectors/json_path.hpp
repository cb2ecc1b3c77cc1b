// Dotted JSON paths with array indexes, as used by http checks and exports:
//   storage.disks[0].free     ingest["last-error"]     $.status     $[0].ok
// `$` names the document root explicitly; it is needed only when the first key is a word the check
// language reserves (status, body, true, ...), e.g. Spring Boot's {"status":"UP"} is `$.status`.
// Thread-safety: value types.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

namespace opswatch {

struct JsonPath {
  // A key of an object or an index into an array, in order from the root.
  std::vector<std::variant<std::string, size_t>> segments;
};

// The node `path` names in `doc`, or nullptr when any step is missing or of the wrong kind.
const nlohmann::json* LookupJsonPath(const nlohmann::json& doc, const JsonPath& path);

}  // namespace opswatch
