#include "collectors/check_config.hpp"

#include <set>

namespace opswatch {
namespace {

// Reads `key` as a list of distinct expressions in the check language (checks, JSON paths): each
// item a scalar, parsed by `parse`, which reports the error's offset for a position inside the
// item. Items are not ${ENV}-expanded: they are code, and `$` names the JSON root. `on_parsed`
// receives each item's text and parsed value; `describe_error` words a parse error.
template <class Parse, class DescribeError, class OnParsed>
bool ReadExpressionList(MapReader& reader, const std::string& key, const std::string& list_noun,
                        const std::string& item_noun, const std::string& duplicate_noun,
                        Parse parse, DescribeError describe_error, OnParsed on_parsed) {
  YAML::Node node = reader.Child(key);
  if (!node.IsDefined()) return true;
  std::string path = reader.KeyPath(key);
  if (!node.IsSequence()) {
    reader.errors().Add(node, path + ": expected a list of " + list_noun);
    return false;
  }
  bool ok = true;
  std::set<std::string> seen;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    std::string item_path = path + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      reader.errors().Add(item, item_path + ": expected a " + item_noun);
      ok = false;
      continue;
    }
    CheckParseError error;
    auto parsed = parse(item.Scalar(), &error);
    if (!parsed) {
      reader.errors().Add(MarkInside(item, error.offset),
                          item_path + ": " + describe_error(parsed.error(), item.Scalar()));
      ok = false;
      continue;
    }
    if (!seen.insert(item.Scalar()).second) {
      reader.errors().Add(item, item_path + ": duplicate " + duplicate_noun);
      ok = false;
      continue;
    }
    on_parsed(item.Scalar(), std::move(parsed).value());
  }
  return ok;
}

}  // namespace

bool ReadChecks(MapReader& reader, std::vector<CheckExpr>& checks) {
  return ReadExpressionList(
      reader, "checks", "checks", "check expression", "check", ParseCheck,
      [](const std::string& error, const std::string& text) {
        return error + " in check \"" + text + "\"";
      },
      [&checks](const std::string&, auto check) { checks.push_back(std::move(check)); });
}

bool ReadJsonExports(MapReader& reader, std::vector<JsonExport>& exports) {
  return ReadExpressionList(
      reader, "export", "JSON paths", "JSON path", "field", ParseJsonPath,
      [](const std::string& error, const std::string&) { return error; },
      [&exports](const std::string& text, auto path) {
        exports.push_back(JsonExport{text, std::move(path)});
      });
}

}  // namespace opswatch
