// Config and rule files are measured for nesting before yaml-cpp (which recurses once per level)
// parses them: deep ones fail with a position, real ones are not misjudged.
#define BOOST_TEST_MODULE yaml_nesting
#include "core/yaml_nesting.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/config_reader.hpp"
#include "tests/support/small_stack.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/yaml_depth.hpp"

namespace opswatch {
namespace {

std::string Repeat(std::string_view piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

using opswatch::testing::ParsedDepth;

// The scan's own count: the smallest limit it accepts the text under.
int ScannedDepth(std::string_view text) {
  int depth = 0;
  while (FindYamlNestingBeyond(text, depth)) ++depth;
  return depth;
}

BOOST_AUTO_TEST_CASE(the_repository_yaml_files_are_measured_within_two_levels) {
  int files = 0;
  for (const char* dir : {"examples", "tests/testdata"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             std::string(OPSWATCH_SOURCE_DIR) + "/" + dir)) {
      const std::string path = entry.path().string();
      if (!entry.is_regular_file() || (!path.ends_with(".yml") && !path.ends_with(".yaml")))
        continue;
      const std::string text = testing::ReadFileOrDie(path);
      ConfigErrors errors;
      YAML::Node root = LoadYamlDocument(text, errors);
      if (!errors.empty()) continue;  // the deliberately invalid ones
      ++files;
      const int parsed = ParsedDepth(root);
      const int scanned = ScannedDepth(text);
      BOOST_TEST_CONTEXT(path << ": parsed " << parsed << ", scanned " << scanned) {
        BOOST_TEST(scanned >= parsed);
        BOOST_TEST(scanned <= parsed + 2);
        BOOST_TEST(scanned < kMaxYamlDepth / 4);
      }
    }
  }
  BOOST_TEST(files >= 20);
}

BOOST_AUTO_TEST_CASE(constructs_are_counted_like_yaml_cpp_counts_them) {
  const std::string cases[] = {
      "a: 1\n",
      "a:\n  b:\n    c: [1, {d: [2]}]\n",
      "- - - x\n",
      "- a: 1\n  b:\n  - c\n  - d: {e: f}\n",
      "k:\n- a:\n  - b:\n    - c: 1\n",  // sequences at their key's indentation
      "? [a, b]\n: {c: d}\n",
      "a: &x [1, [2]]\nb: *x\n",
      "a: !!seq [ [ ] ]\n",
      "a: [\n  1,\n  [2,\n   [3]],\n]\n",
      "--- {a: [1]}\n--- \n",
      "a: {\"b\": [1], 'c': {d: e}}\n",
      "a:\r\n  b: [1]\r\n",
  };
  for (const auto& text : cases) {
    YAML::Node root = YAML::Load(text);
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(ScannedDepth(text) >= ParsedDepth(root));
      BOOST_TEST(ScannedDepth(text) <= ParsedDepth(root) + 2);
    }
  }
}

BOOST_AUTO_TEST_CASE(brackets_in_scalars_and_comments_are_not_nesting) {
  const std::string brackets = Repeat("[{", 200);
  const std::string texts[] = {
      "a: \"" + brackets + "\"\n",
      "a: '" + brackets + "'\n",
      "a: \"" + brackets + "\n  " + brackets + "\"\nb: 1\n",  // a quoted scalar over two lines
      "a: plain" + brackets + "\n",
      "a: 1 # " + brackets + "\n",
      "# " + brackets + "\n",
      "a: |\n  " + brackets + "\n  " + brackets + "\nb: >-\n  " + brackets + "\nc: 1\n",
      "a: [\"" + brackets + "\", '" + brackets + "', it's" + "]\n",
      "expr: 'sum(x{a=\"[\"}) by (job)'\n",
  };
  for (const auto& text : texts) {
    BOOST_TEST_CONTEXT(text.substr(0, 40)) {
      BOOST_CHECK_NO_THROW(YAML::Load(text));
      BOOST_TEST(ScannedDepth(text) <= 3);
    }
  }
}

std::string BlockMaps(int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += std::string(i * 2, ' ') + "k" + std::to_string(i) + ":\n";
  return out + std::string(depth * 2, ' ') + "v: 1\n";
}

BOOST_AUTO_TEST_CASE(deep_texts_are_refused_where_they_cross_the_limit) {
  struct Case {
    std::string text;
    int line, column;
  };
  const Case cases[] = {
      {BlockMaps(300), kMaxYamlDepth + 1, 2 * kMaxYamlDepth + 1},
      {"a: " + Repeat("[", 300) + Repeat("]", 300) + "\n", 1, 3 + kMaxYamlDepth},
      {"a: " + Repeat("{b: ", 300) + "1" + Repeat("}", 300) + "\n", 1, 4 + 4 * (kMaxYamlDepth - 1)},
      {Repeat("- ", 300) + "x\n", 1, 2 * kMaxYamlDepth + 1},
      // The line holding the first "[" counts as a level of its own: one more than yaml-cpp.
      {"a:\n" + Repeat("  [\n", 300) + Repeat("  ]\n", 300), kMaxYamlDepth, 3},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.text.substr(0, 40)) {
      auto found = FindYamlNestingBeyond(c.text);
      BOOST_REQUIRE(found.has_value());
      BOOST_TEST(found->line == c.line);
      BOOST_TEST(found->column == c.column);
      ConfigErrors errors;
      BOOST_TEST(!LoadYamlDocument(c.text, errors).IsDefined());
      BOOST_TEST(errors.Format("f.yml") == "f.yml:" + std::to_string(c.line) + ":" +
                                               std::to_string(c.column) + ": nesting deeper than " +
                                               std::to_string(kMaxYamlDepth) + " levels\n");
    }
  }
}

BOOST_AUTO_TEST_CASE(texts_at_the_limit_load_on_a_small_stack) {
  for (const auto& text : {BlockMaps(kMaxYamlDepth - 1), "a: " + Repeat("[", kMaxYamlDepth - 1) +
                                                             Repeat("]", kMaxYamlDepth - 1)}) {
    BOOST_REQUIRE(!FindYamlNestingBeyond(text));
    testing::RunOnSmallStack([&] {
      ConfigErrors errors;
      YAML::Node root = LoadYamlDocument(text, errors);
      BOOST_TEST(errors.empty(), errors.Format("f.yml"));
      BOOST_TEST(ParsedDepth(root) == kMaxYamlDepth);
    });
  }
}

BOOST_AUTO_TEST_CASE(yaml_errors_keep_their_position) {
  ConfigErrors errors;
  BOOST_TEST(!LoadYamlDocument("a: [1, 2\n", errors).IsDefined());
  BOOST_TEST(errors.Format("f.yml").rfind("f.yml:", 0) == 0u);
  BOOST_TEST(errors.Format("f.yml").find(": invalid YAML: ") != std::string::npos);
}

}  // namespace
}  // namespace opswatch
