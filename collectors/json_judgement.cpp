#include "collectors/json_judgement.hpp"

namespace opswatch {

JsonJudgement JudgeJsonDocument(const std::vector<CheckExpr>& checks,
                                const std::vector<JsonExport>& exports, const CheckInput& input) {
  JsonJudgement out;
  for (const CheckExpr& check : checks) {
    auto passed = check.Evaluate(input);
    bool ok = passed.ok() && *passed;
    out.checks.emplace_back(check.text(), ok);
    if (!ok && out.first_failure.empty()) {
      out.first_failure =
          "check \"" + check.text() + "\" failed" + (passed.ok() ? "" : ": " + passed.error());
    }
  }
  if (input.json != nullptr) {
    for (const JsonExport& field : exports) {
      const nlohmann::json* node = LookupJsonPath(*input.json, field.path);
      if (node == nullptr) continue;
      if (node->is_number()) out.exports.emplace_back(field.field, node->get<double>());
      if (node->is_boolean()) out.exports.emplace_back(field.field, node->get<bool>() ? 1 : 0);
    }
  }
  return out;
}

}  // namespace opswatch
