// The http collector's check language: small boolean expressions over a probe's response, parsed
// once at config load and evaluated after every probe.
//
//   ok == true && ingest.lastError == ""
//   storage.logsFreeBytes > 1e9 && len(storage.disks) >= 1
//   $.status == "UP" || !exists(checks[0].error)
//   status == 200 && duration_seconds < 0.5 && body =~ "database: ok"
//
// Operands: JSON paths (see json_path.hpp), number/string/true/false/null literals, `status`
// (HTTP status code), `duration_seconds`, `body` (the raw body text), `len(x)` (string, array or
// object size) and `exists(path)`. Operators, loosest first: `||`, `&&`, comparisons
// (`== != < <= > >=`, `=~ !~` with an RE2 literal, unanchored), `!`. `==`/`!=` compare any two
// values (different kinds are unequal); `<`-style orderings need two numbers or two strings.
// A path that is missing or a type mismatch makes the check fail with a reason (never an
// exception). Thread-safety: a parsed CheckExpr is immutable and may be evaluated from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/json_path.hpp"
#include "core/status.hpp"

namespace opswatch {

// The deepest check ParseCheck accepts: each parenthesis, `!`, `len(` and each operator of an
// `&&`/`||` chain counts one level. Parsing, evaluating and dropping a check recurse once per
// level; at the limit they run on a 1 MiB thread stack under AddressSanitizer
// (tests/unit/http_check_depth_test.cpp). Real checks are a few levels deep.
inline constexpr int kMaxCheckDepth = 256;

struct CheckNode;  // the parsed tree, private to the .cpp
struct CheckParseError;
class CheckExpr;
Result<CheckExpr> ParseCheck(std::string_view text, CheckParseError* error);

// What a check sees of one response.
struct CheckInput {
  long status = 0;
  double duration_seconds = 0;
  std::string_view body;
  const nlohmann::json* json = nullptr;  // nullptr when the body is not valid JSON
};

class CheckExpr {
 public:
  // The source text, exactly as configured (also the `check` label value).
  const std::string& text() const { return text_; }
  // Whether the expression reads the JSON body (so the collector parses it only when needed).
  bool uses_json() const { return uses_json_; }
  // True when the check passes; an error says why it could not pass (missing field, bad type).
  Result<bool> Evaluate(const CheckInput& input) const;

 private:
  friend Result<CheckExpr> ParseCheck(std::string_view text, CheckParseError* error);
  std::string text_;
  bool uses_json_ = false;
  std::shared_ptr<const CheckNode> root_;
};

struct CheckParseError {
  size_t offset = 0;  // 0-based byte offset into the text
  std::string message;
};

// Parses `text`; on failure fills `error` (when not null) and returns an error Result whose
// message is "column N: <message>" (1-based column within the text).
Result<CheckExpr> ParseCheck(std::string_view text, CheckParseError* error);

// Parses a bare JSON path (for `export`), e.g. "storage.logsFreeBytes".
Result<JsonPath> ParseJsonPath(std::string_view text, CheckParseError* error = nullptr);

}  // namespace opswatch
