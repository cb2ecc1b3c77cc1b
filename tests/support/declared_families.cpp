#include "tests/support/declared_families.hpp"

#include "collectors/registry.hpp"
#include "core/collector_self_metrics.hpp"
#include "exporter/process_metrics.hpp"
#include "notify/notify_metrics.hpp"
#include "rules/rule_metrics.hpp"

namespace opswatch::testing {
namespace {

template <typename Visit>
void ForEachDeclared(Visit visit) {
  CollectorRegistry registry;
  RegisterBuiltinCollectors(registry);
  for (const auto& type : registry.Types()) {
    for (const auto& spec : registry.Find(type)->families) visit(spec);
  }
  for (const auto& spec : collector_self_metrics::kFamilies) visit(spec);
  for (const auto& spec : process_metrics::kFamilies) visit(spec);
  for (const auto& spec : rule_metrics::kFamilies) visit(spec);
  for (const auto& spec : notify_metrics::kFamilies) visit(spec);
}

}  // namespace

std::map<std::string, MetricFamilySpec> DeclaredFamilies() {
  std::map<std::string, MetricFamilySpec> declared;
  ForEachDeclared([&](const MetricFamilySpec& spec) { declared.emplace(spec.name, spec); });
  return declared;
}

std::vector<std::string> FamiliesDeclaredTwice() {
  std::map<std::string, int> seen;
  std::vector<std::string> twice;
  ForEachDeclared([&](const MetricFamilySpec& spec) {
    if (++seen[std::string(spec.name)] == 2) twice.emplace_back(spec.name);
  });
  return twice;
}

}  // namespace opswatch::testing
