// Internals of rules/template: the parse tree of a Go text/template subset, its values and its
// functions. Only template.cpp and tests include this.
// Thread-safety: pure functions and value types.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/go_int64.hpp"
#include "core/labels.hpp"
#include "core/status.hpp"

namespace opswatch::template_parse {

// A Go value as the template sees it: float64, int, string, bool, map[string]string or nil.
struct Value {
  enum Kind { kNil, kFloat, kInt, kString, kBool, kMap } kind = kNil;
  double f = 0;
  int64_t i = 0;
  std::string s;
  bool b = false;
  const Labels* map = nullptr;

  static Value Float(double v) {
    Value x;
    x.kind = kFloat;
    x.f = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = kInt;
    x.i = v;
    return x;
  }
  static Value String(std::string v) {
    Value x;
    x.kind = kString;
    x.s = std::move(v);
    return x;
  }
  static Value Bool(bool v) {
    Value x;
    x.kind = kBool;
    x.b = v;
    return x;
  }
  static Value Map(const Labels* v) {
    Value x;
    x.kind = kMap;
    x.map = v;
    return x;
  }

  std::string TypeName() const;  // Go's %T
  std::string Print() const;     // Go's fmt.Sprint
  bool Truth() const;            // Go template truth: zero values are false
};

struct Pipeline;

struct Operand {
  enum Kind { kString, kNumber, kBool, kNil, kVariable, kField, kFunction, kPipe } kind = kNil;
  std::string name;               // variable ("$labels") or function name
  std::vector<std::string> path;  // field chain: .Labels.x -> {Labels, x}; $labels.x -> {x}
  std::string str;
  double num = 0;
  bool is_int = false;
  std::shared_ptr<Pipeline> sub;  // parenthesised pipeline
  size_t pos = 0;                 // byte offset in the template text
  std::string text;               // as Go prints the node in error contexts
};

struct Command {
  std::vector<Operand> args;  // args[0] is the function or the single operand
  size_t pos = 0;
  std::string text;
};

struct Pipeline {
  std::string decl;  // "$x" for {{ $x := ... }}; empty otherwise
  std::vector<Command> cmds;
};

struct Node {
  enum Kind { kText, kAction, kIf } kind = kText;
  std::string text;
  Pipeline pipe;
  std::vector<Node> then;
  std::vector<Node> otherwise;
};

// The deepest nesting ParseTemplate accepts: each {{if}}, {{else if}} and parenthesised pipeline
// inside another counts one level. Parsing, expansion and destroying the tree recurse once per
// level; at the limit all of them run on a 1 MiB thread stack under AddressSanitizer
// (tests/unit/template_depth_test.cpp).
inline constexpr int kMaxTemplateDepth = 256;

// The longest text one expansion may produce, and the longest string a function may return on
// the way there: print and printf repeat their arguments and variables let them repeat each
// other's results, so without a cap a few lines could ask for gigabytes. Functions stop building
// a string once it is longer; the executor then fails the expansion with OutputTooLong().
inline constexpr size_t kMaxTemplateOutput = 64 * 1024;
// printf's largest width and precision (Go accepts up to ~10^7 and renders every digit).
inline constexpr int kMaxPrintfWidth = 1000;
inline std::string OutputTooLong() {
  return "output longer than " + std::to_string(kMaxTemplateOutput) + " bytes";
}

using ::opswatch::GoInt64;

// Parses a template; errors are "<line>: <message>" in Go's words (and ours for the depth limit).
Result<std::vector<Node>> ParseTemplate(std::string_view text);

bool IsKnownFunction(std::string_view name);
// Calls a template function; errors are Go's ("wrong number of args for humanize: want 1 got 2",
// "error calling humanize: ...").
Result<Value> CallFunction(const std::string& name, const std::vector<Value>& args);

}  // namespace opswatch::template_parse
