// The PromQL parser, printer and evaluator: parse; print and re-parse the print (it must parse
// to the same text again); evaluate against a small fixed history; walk MaxRange.
#include <chrono>

#include "rules/promql/promql_ast.hpp"
#include "rules/promql/promql_eval.hpp"
#include "rules/promql/series_history.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using opswatch::fuzz::Require;
using std::chrono::seconds;

const opswatch::SystemTime kStart(seconds(1700000000));

// Counters, gauges, a reset, a series that goes stale, and two with the same name but labels.
const opswatch::SeriesHistory& History() {
  static const auto* history = [] {
    auto* h = new opswatch::SeriesHistory(std::chrono::hours(1));
    double requests = 0;
    for (int round = 0; round <= 40; ++round) {
      requests = round == 20 ? 3 : requests + round % 7;
      std::vector<opswatch::Series> series = {
          {"http_requests_total", opswatch::Labels{{"job", "api"}, {"code", "200"}}, requests},
          {"http_requests_total", opswatch::Labels{{"job", "api"}, {"code", "500"}}, round / 3.0},
          {"up", opswatch::Labels{{"job", "api"}, {"instance", "a:1"}}, double(round % 2)},
          {"up", opswatch::Labels{{"job", "db"}, {"instance", "b:2"}}, 1},
          {"opswatch_disk_avail_bytes", opswatch::Labels{{"path", "/"}}, 1e9 - round * 1e6},
          {"temperature", opswatch::Labels{{"room", "x"}}, -3.5 + round},
      };
      if (round < 30) series.push_back({"flaky", opswatch::Labels{}, double(round)});
      h->Append(kStart + seconds(15 * round), series);
    }
    return h;
  }();
  return *history;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = opswatch::promql::Parse(opswatch::fuzz::AsText(data, size));
  if (!parsed.ok()) return 0;
  const opswatch::promql::Expr& expr = **parsed;
  Require(expr.depth <= opswatch::promql::kMaxExprDepth, "a parsed tree over the depth limit");

  const std::string printed = opswatch::promql::Format(expr);
  auto reparsed = opswatch::promql::Parse(printed);
  Require(reparsed.ok(), "Format printed text that does not parse");
  Require(opswatch::promql::Format(**reparsed) == printed, "Format is not stable across a parse");

  (void)opswatch::promql::MaxRange(expr);
  for (int at : {0, 301, 600}) {
    auto value = opswatch::promql::Evaluate(expr, History(), kStart + seconds(at));
    if (value.ok()) value->ScalarToVector();
  }
  opswatch::promql::SelectionCache cache;
  (void)opswatch::promql::Evaluate(expr, History(), kStart + seconds(450), &cache);
  (void)opswatch::promql::Evaluate(expr, History(), kStart + seconds(450), &cache);
  return 0;
}
