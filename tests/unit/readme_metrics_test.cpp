// The README's metric tables (every "| metric | type | meaning |" table: one per collector type
// and the self metrics under "Metrics") against the declared families: a family declared in code
// but missing from the README, a README metric no table declares, or a type that differs, fails.
#define BOOST_TEST_MODULE readme_metrics
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/declared_families.hpp"

namespace opswatch {
namespace {

struct ReadmeMetric {
  std::string type;
  int line = 0;
};

std::string TypeName(MetricType type) {
  switch (type) {
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kCounter:
      return "counter";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "?";
}

std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '|' && row[i - 1] != '\\') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  for (auto& c : cells) {
    c.erase(0, c.find_first_not_of(' '));
    c.erase(c.find_last_not_of(' ') + 1);
  }
  return cells;
}

// Every metric named in the first column of a metric table, with the table's type column. A cell
// may name several metrics (`a`, `b`); labels in braces are not part of the name.
std::map<std::string, ReadmeMetric> ReadReadmeMetrics(int& tables) {
  std::ifstream in(std::string(OPSWATCH_SOURCE_DIR) + "/README.md");
  BOOST_REQUIRE_MESSAGE(in, "cannot read README.md");
  std::map<std::string, ReadmeMetric> metrics;
  // The scrape collector's report series keep Prometheus's names (`up`, `scrape_*`).
  const std::regex name(R"(`(opswatch_[a-z0-9_]+|up|scrape_[a-z0-9_]+)(\{[^`]*\})?`)");
  std::string row;
  bool in_table = false;
  tables = 0;
  for (int line = 1; std::getline(in, row); ++line) {
    if (!row.starts_with("|")) {
      in_table = false;
      continue;
    }
    auto cells = Cells(row);
    if (cells.size() >= 3 && cells[0] == "metric" && cells[1] == "type") {
      in_table = true;
      ++tables;
      continue;
    }
    if (!in_table || cells.size() < 3 || cells[0].starts_with("---")) continue;
    for (std::sregex_iterator it(cells[0].begin(), cells[0].end(), name), end; it != end; ++it) {
      auto [entry, inserted] = metrics.emplace((*it)[1].str(), ReadmeMetric{cells[1], line});
      BOOST_CHECK_MESSAGE(inserted, "README.md:" << line << ": " << entry->first
                                                 << " is listed twice (also line "
                                                 << entry->second.line << ")");
    }
  }
  return metrics;
}

BOOST_AUTO_TEST_CASE(readme_tables_match_declared_families) {
  int tables = 0;
  const auto readme = ReadReadmeMetrics(tables);
  // One table per collector type plus the self metrics: fewer means the layout changed and this
  // test would pass without checking anything.
  BOOST_TEST(tables >= 5);
  const auto declared = testing::DeclaredFamilies();
  for (const auto& duplicate : testing::FamiliesDeclaredTwice()) {
    BOOST_ERROR(duplicate << " is declared twice");
  }

  for (const auto& [name, spec] : declared) {
    auto it = readme.find(name);
    BOOST_CHECK_MESSAGE(it != readme.end(),
                        name << " is declared but missing from README.md's metric tables");
    if (it == readme.end()) continue;
    BOOST_CHECK_MESSAGE(it->second.type == TypeName(spec.type),
                        "README.md:" << it->second.line << ": " << name << " is a "
                                     << TypeName(spec.type) << ", the README says "
                                     << it->second.type);
  }
  for (const auto& [name, metric] : readme) {
    BOOST_CHECK_MESSAGE(declared.contains(name),
                        "README.md:" << metric.line << ": " << name
                                     << " is not declared in any metric family table");
  }
}

}  // namespace
}  // namespace opswatch
