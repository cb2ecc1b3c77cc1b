// What a document says under configured checks and exports (collectors/check_config.hpp): each
// check's verdict and each exported number or boolean. Shared by the http collector (a response
// body) and the command collector (a command's stdout), so both judge JSON the same way.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "collectors/check_config.hpp"
#include "collectors/check_expr.hpp"

namespace opswatch {

struct JsonJudgement {
  std::vector<std::pair<std::string, bool>> checks;     // (check text, passed), in config order
  std::vector<std::pair<std::string, double>> exports;  // (field, value): numbers, booleans 1/0
  std::string first_failure;  // `check "<text>" failed[: why]`; empty when every check passed
};

// Evaluates every check on `input` (input.json null when the document is not JSON: checks that
// read JSON then fail) and looks up every export in input.json.
JsonJudgement JudgeJsonDocument(const std::vector<CheckExpr>& checks,
                                const std::vector<JsonExport>& exports, const CheckInput& input);

}  // namespace opswatch
