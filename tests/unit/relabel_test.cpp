#define BOOST_TEST_MODULE relabel
#include "collectors/relabel.hpp"

#include <boost/test/unit_test.hpp>

namespace opswatch {
namespace {

RelabelRule Rule(RelabelSpec spec) {
  RelabelRule rule;
  auto error = CompileRelabelRule(std::move(spec), rule);
  BOOST_REQUIRE_MESSAGE(!error, (error ? error->key + ": " + error->message : ""));
  return rule;
}

struct Case {
  const char* what;
  std::vector<RelabelSpec> specs;
  Labels input;
  std::optional<Labels> output;  // nullopt: dropped
};

const Labels kAbc{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}};

RelabelSpec Replace(std::vector<std::string> sources, std::string regex, std::string target,
                    std::string replacement = "$1") {
  RelabelSpec spec;
  spec.source_labels = std::move(sources);
  spec.regex = std::move(regex);
  spec.target_label = std::move(target);
  spec.replacement = std::move(replacement);
  return spec;
}

RelabelSpec Action(RelabelAction action, std::vector<std::string> sources, std::string regex) {
  RelabelSpec spec;
  spec.action = action;
  spec.source_labels = std::move(sources);
  spec.regex = std::move(regex);
  return spec;
}

// The cases of Prometheus's model/relabel/relabel_test.go (TestRelabel) that our actions cover,
// plus the corners of Go's Regexp.Expand that a C++ port would get wrong first.
std::vector<Case> Cases() {
  RelabelSpec hashmod;
  hashmod.action = RelabelAction::kHashMod;
  hashmod.source_labels = {"c"};
  hashmod.target_label = "d";
  hashmod.modulus = 1000;
  RelabelSpec labelmap;
  labelmap.action = RelabelAction::kLabelMap;
  labelmap.regex = "(b.*)";
  labelmap.replacement = "bar_${1}_bar";
  RelabelSpec labeldrop;
  labeldrop.action = RelabelAction::kLabelDrop;
  labeldrop.regex = "(b.*)";
  RelabelSpec labelkeep = labeldrop;
  labelkeep.action = RelabelAction::kLabelKeep;
  return {
      {"replace with a group",
       {Replace({"a"}, "f(.*)", "d", "ch${1}-ch${1}")},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "choo-choo"}}},
      {"sources joined by the separator",
       {Replace({"a", "b"}, "f(.*);(.*)r", "a", "b${1}${2}m")},
       kAbc,
       Labels{{"a", "boobam"}, {"b", "bar"}, {"c", "baz"}}},
      {"the regex is anchored: no match, no change", {Replace({"a"}, "f", "d")}, kAbc, kAbc},
      {"the default regex and replacement copy the value",
       {Replace({"a"}, "(.*)", "d")},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "foo"}}},
      {"an empty result removes the target",
       {Replace({"a"}, "foo", "b", "")},
       kAbc,
       Labels{{"a", "foo"}, {"c", "baz"}}},
      {"a missing source reads as empty",
       {Replace({"x"}, "", "d", "empty")},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "empty"}}},
      {"$1_x is group \"1_x\", which does not exist (Go)",
       {Replace({"a"}, "(f)oo", "d", "$1_x")},
       kAbc,
       kAbc},
      {"${1}_x is group 1 then _x",
       {Replace({"a"}, "(f)oo", "d", "${1}_x")},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "f_x"}}},
      {"$$ is a dollar",
       {Replace({"a"}, "(f)oo", "d", "$$1")},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "$1"}}},
      {"named groups",
       {Replace({"a"}, "(?P<first>f)(o+)", "d", "$first-${2}")},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "f-oo"}}},
      {"a target_label template",
       {Replace({"a"}, "(f)(.*)", "${1}x", "$2")},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"fx", "oo"}}},
      {"a template that expands to an invalid name changes nothing",
       {Replace({"a"}, "(.*)", "${1}x", "v"), Replace({"c"}, "(.*)", "$1", "v")},
       Labels{{"a", "1"}, {"c", ""}},
       Labels{{"a", "1"}}},
      {"rules apply in order",
       {Replace({"a"}, "(.*)", "d"), Replace({"d"}, "f(.*)", "e")},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "foo"}, {"e", "oo"}}},
      {"drop on a match", {Action(RelabelAction::kDrop, {"a"}, ".*o.*")}, kAbc, std::nullopt},
      {"drop without a match keeps", {Action(RelabelAction::kDrop, {"a"}, "f")}, kAbc, kAbc},
      {"keep without a match drops",
       {Action(RelabelAction::kKeep, {"a"}, "no-match")},
       kAbc,
       std::nullopt},
      {"keep on a match", {Action(RelabelAction::kKeep, {"a"}, "f.*")}, kAbc, kAbc},
      {"keep is anchored", {Action(RelabelAction::kKeep, {"a"}, "f")}, kAbc, std::nullopt},
      {"hashmod: md5, last 8 bytes, modulus",
       {hashmod},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "976"}}},
      {"labelmap",
       {labelmap},
       kAbc,
       Labels{{"a", "foo"}, {"b", "bar"}, {"bar_b_bar", "bar"}, {"c", "baz"}}},
      {"labeldrop", {labeldrop}, kAbc, Labels{{"a", "foo"}, {"c", "baz"}}},
      {"labelkeep", {labelkeep}, kAbc, Labels{{"b", "bar"}}},
  };
}

BOOST_AUTO_TEST_CASE(relabelling_matches_prometheus) {
  for (const auto& c : Cases()) {
    BOOST_TEST_CONTEXT(c.what) {
      std::vector<RelabelRule> rules;
      for (const auto& spec : c.specs) rules.push_back(Rule(spec));
      Labels labels = c.input;
      bool kept = ApplyRelabelRules(rules, labels);
      BOOST_TEST(kept == c.output.has_value());
      if (kept && c.output) BOOST_TEST(labels.ToString() == c.output->ToString());
    }
  }
}

BOOST_AUTO_TEST_CASE(actions_are_read_case_insensitively) {
  BOOST_TEST((ParseRelabelAction("LabelDrop") == RelabelAction::kLabelDrop));
  BOOST_TEST(!ParseRelabelAction("lowercase").has_value());
}

void ExpectInvalid(RelabelSpec spec, const std::string& key, const std::string& message) {
  RelabelRule rule;
  auto error = CompileRelabelRule(std::move(spec), rule);
  BOOST_REQUIRE(error.has_value());
  BOOST_TEST(error->key == key);
  BOOST_TEST(error->message == message);
}

// Prometheus's own load-time messages (model/relabel Config.UnmarshalYAML).
BOOST_AUTO_TEST_CASE(invalid_configs_are_refused_as_prometheus_refuses_them) {
  ExpectInvalid(Replace({"a"}, "(.*)", ""), "target_label",
                "relabel configuration for replace action requires 'target_label' value");
  ExpectInvalid(Replace({"a"}, "(.*)", "a-b"), "target_label",
                "\"a-b\" is invalid 'target_label' for replace action");
  ExpectInvalid(Replace({"a"}, "(.*)", "$-"), "target_label",
                "\"$-\" is invalid 'target_label' for replace action");
  ExpectInvalid(Replace({"a-b"}, "(.*)", "a"), "source_labels",
                "\"a-b\" is not a valid label name");
  ExpectInvalid(Replace({"a"}, "(", "a"), "regex",
                "invalid regular expression: missing ): ^(?:()$");
  RelabelSpec hashmod;
  hashmod.action = RelabelAction::kHashMod;
  hashmod.target_label = "d";
  ExpectInvalid(hashmod, "modulus", "relabel configuration for hashmod requires non-zero modulus");
  RelabelSpec labeldrop = Action(RelabelAction::kLabelDrop, {"a"}, "x");
  ExpectInvalid(labeldrop, "action", "labeldrop action requires only 'regex', and no other fields");
  RelabelSpec labelmap;
  labelmap.action = RelabelAction::kLabelMap;
  labelmap.replacement = "a-$1";
  ExpectInvalid(labelmap, "replacement", "\"a-$1\" is invalid 'replacement' for labelmap action");
}

}  // namespace
}  // namespace opswatch
