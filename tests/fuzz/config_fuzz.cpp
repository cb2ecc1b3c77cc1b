// The config loader, in memory: YAML text -> nesting scan -> yaml-cpp -> strict config
// validation (every collector type, alerting), and the same text as a Prometheus rule file
// (PromQL and template checks included). Secret files and ${ENV} come from a fake environment.
#include <yaml-cpp/yaml.h>

#include <utility>
#include <vector>

#include "collectors/registry.hpp"
#include "core/yaml_nesting.hpp"
#include "exporter/config.hpp"
#include "rules/rule_file.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tests/support/env.hpp"
#include "tests/support/yaml_depth.hpp"

namespace {

using opswatch::fuzz::Require;

using opswatch::testing::ParsedDepth;

const opswatch::CollectorRegistry& Registry() {
  static const auto* registry = [] {
    auto* r = new opswatch::CollectorRegistry;
    opswatch::RegisterBuiltinCollectors(*r);
    return r;
  }();
  return *registry;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(opswatch::fuzz::AsText(data, size));

  // The nesting scan's promise: what it lets through, yaml-cpp builds at most a bounded depth.
  opswatch::ConfigErrors yaml_errors;
  YAML::Node root = opswatch::LoadYamlDocument(text, yaml_errors);
  if (yaml_errors.empty()) {
    Require(ParsedDepth(root) <= 2 * opswatch::kMaxYamlDepth,
            "LoadYamlDocument accepted YAML nested far deeper than kMaxYamlDepth");
  }

  // rule_files globs read the real filesystem: leave those inputs to the rule-file half below.
  if (text.find("rule_files") == std::string::npos) {
    opswatch::testing::FakeConfigEnv env;
    env.vars = {{"TOKEN", "token"}, {"EMPTY", ""}};
    env.files = {{"/run/secrets/dsn", "postgres://u:p@db/x\n"}, {"/run/secrets/url", "http://x/"}};
    auto load = opswatch::ParseConfig("/nonexistent-fuzz-dir/opswatch.yml", text, Registry(), env);
    const std::string errors = load.ErrorText();
    Require(load.ok() == errors.empty(), "a config load with errors must say so");
  }

  opswatch::ConfigErrors rule_errors;
  auto groups = opswatch::ParseRuleFile(text, "rules.yml", rule_errors);
  for (const auto& group : groups) {
    for (const auto& rule : group.rules) {
      Require(rule.expr != nullptr, "a loaded rule has an expression");
      Require(rule.expr->depth <= opswatch::promql::kMaxExprDepth, "expression over the limit");
    }
  }
  return 0;
}
