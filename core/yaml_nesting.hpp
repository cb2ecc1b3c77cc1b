// How deeply a YAML text nests its collections, measured by one linear pass over the text, before
// yaml-cpp parses it: yaml-cpp recurses once per level (it stops itself at about 500 levels with
// the unhelpful "bad file"), so a config or rule file is refused early, with the line and column
// where it crosses kMaxYamlDepth.
//
// The pass follows block indentation (mappings and sequences, "- - x" compact ones included),
// flow collections ([ ] { }), quoted scalars (across lines), block scalars (| and >) and
// comments. It may count a level or two more than a parser would (a scalar after "- " counts
// one), never far fewer: every nested block collection needs more indentation or a "- ", and
// every flow one a bracket.
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string_view>

namespace opswatch {

// Far deeper than any opswatch config (about 6 levels) or Prometheus rule file (about 5).
inline constexpr int kMaxYamlDepth = 64;

struct YamlTextPosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
};

// Where `text` first nests deeper than `max_depth` levels, or nullopt when it never does.
std::optional<YamlTextPosition> FindYamlNestingBeyond(std::string_view text,
                                                      int max_depth = kMaxYamlDepth);

}  // namespace opswatch
