#include "core/yaml_nesting.hpp"

#include <algorithm>
#include <vector>

namespace opswatch {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// One pass over the text, a line at a time. Block levels are tracked by the columns where their
// content starts; flow levels by bracket count; quoted and block scalars are skipped.
class NestingScanner {
 public:
  explicit NestingScanner(int max_depth) : max_depth_(max_depth) {}

  // Scans one line (without its newline); true when the limit was crossed in it (see found()).
  bool Line(std::string_view line, int line_no) {
    line_no_ = line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t i = 0;
    if (block_scalar_parent_ >= 0) {
      const size_t indent = Indentation(line);
      if (indent == line.size() || static_cast<int>(indent) > block_scalar_parent_) return false;
      block_scalar_parent_ = -1;
    }
    bool value_start = false;
    if (quote_ != 0) {
      i = SkipQuoted(line, 0);
      if (quote_ != 0) return false;
    } else if (flow_ == 0) {
      if (!BlockStart(line, i)) return found_.has_value();
      value_start = true;
    }
    Rest(line, i, value_start);
    return found_.has_value();
  }

  const std::optional<YamlTextPosition>& found() const { return found_; }

 private:
  static size_t Indentation(std::string_view line) {
    size_t i = 0;
    while (i < line.size() && line[i] == ' ') ++i;
    return i;
  }

  // The indentation and compact "- " / "? " / ": " markers of a line in block context: opens the
  // block levels they start and leaves `i` at the line's first value. False when there is
  // nothing more to scan on the line.
  bool BlockStart(std::string_view line, size_t& i) {
    const size_t indent = Indentation(line);
    if (indent == line.size() || line[indent] == '#') return false;
    if (indent == 0 && line[0] == '%') return false;  // a directive
    line_indent_ = static_cast<int>(indent);
    if (indent == 0 && (line.substr(0, 3) == "---" || line.substr(0, 3) == "...") &&
        (line.size() == 3 || IsBlank(line[3]))) {
      block_.clear();  // a new document
      i = 3;
      return true;
    }
    while (!block_.empty() && block_.back().column > static_cast<int>(indent)) block_.pop_back();
    if (!OpenAtLineStart(indent, IsDash(line, indent))) return false;
    i = indent;
    while (IsMarker(line, i)) {
      ++i;
      while (i < line.size() && IsBlank(line[i])) ++i;
      if (i == line.size() || line[i] == '#') return false;  // the item continues below
      if (!Open(i, IsDash(line, i))) return false;
    }
    return true;
  }

  static bool IsMarker(std::string_view line, size_t i) {
    return i < line.size() && (line[i] == '-' || line[i] == '?' || line[i] == ':') &&
           (i + 1 == line.size() || IsBlank(line[i + 1]));
  }
  static bool IsDash(std::string_view line, size_t i) {
    return IsMarker(line, i) && line[i] == '-';
  }

  // The level a line's first content at `column` belongs to. A sequence may sit at its key's
  // column ("key:\n- a"): a dash there opens a level, and a key there closes it again.
  bool OpenAtLineStart(size_t column, bool dash) {
    if (block_.empty() || block_.back().column != static_cast<int>(column)) {
      return Open(column, dash);
    }
    if (dash && !block_.back().dashes) return Open(column, dash);
    if (!dash && block_.back().dashes) {
      block_.pop_back();
      if (block_.empty() || block_.back().column < static_cast<int>(column)) {
        return Open(column, dash);
      }
    }
    return true;
  }

  bool Open(size_t column, bool dashes) {
    block_.push_back(Level{static_cast<int>(column), dashes});
    return Check(column);
  }

  bool Check(size_t column) {
    if (static_cast<int>(block_.size()) + flow_ <= max_depth_) return true;
    if (!found_) found_ = YamlTextPosition{line_no_, static_cast<int>(column) + 1};
    return false;
  }

  // From `i` to the end of the line; `value_start` when a node may begin at `i`.
  void Rest(std::string_view line, size_t i, bool value_start) {
    while (i < line.size() && !found_) {
      if (flow_ > 0) {
        if (!FlowChar(line, i)) return;
        continue;
      }
      if (value_start) {
        value_start = false;
        if (!ValueStart(line, i)) return;
        continue;
      }
      const char c = line[i];
      if (c == '#' && i > 0 && IsBlank(line[i - 1])) return;  // a comment
      if (c == ':' && (i + 1 == line.size() || IsBlank(line[i + 1]))) value_start = true;
      ++i;
    }
  }

  // Where a block-context value may start: anchors and tags, then a flow collection, a quoted
  // scalar, a block scalar or a plain one. False when the rest of the line is not YAML to scan.
  bool ValueStart(std::string_view line, size_t& i) {
    for (;;) {
      while (i < line.size() && IsBlank(line[i])) ++i;
      if (i == line.size() || (line[i] != '&' && line[i] != '!')) break;
      while (i < line.size() && !IsBlank(line[i])) ++i;
    }
    if (i == line.size()) return false;
    const char c = line[i];
    if (c == '[' || c == '{') {
      ++flow_;
      flow_last_ = c;
      if (!Check(i)) return false;
      ++i;
      return true;
    }
    if (c == '"' || c == '\'') {
      quote_ = c;
      i = SkipQuoted(line, i + 1);
      return quote_ == 0;
    }
    if (c == '|' || c == '>') {
      block_scalar_parent_ = line_indent_;
      return false;
    }
    return c != '#';
  }

  // One character in flow context. False when the rest of the line is not YAML to scan.
  bool FlowChar(std::string_view line, size_t& i) {
    const char c = line[i];
    if (c == '"' || c == '\'') {
      // A quote opens a scalar only where one may start; inside a plain one ("it's") it is text.
      if (flow_last_ == '[' || flow_last_ == '{' || flow_last_ == ',' || flow_last_ == ':' ||
          flow_last_ == '?') {
        quote_ = c;
        flow_last_ = c;
        i = SkipQuoted(line, i + 1);
        return quote_ == 0;
      }
    } else if (c == '[' || c == '{') {
      ++flow_;
      if (!Check(i)) return false;
    } else if (c == ']' || c == '}') {
      flow_ = std::max(0, flow_ - 1);
    } else if (c == '#' && (i == 0 || IsBlank(line[i - 1]))) {
      return false;  // a comment
    }
    if (!IsBlank(c)) flow_last_ = c;
    ++i;
    return true;
  }

  // Past the quoted scalar's closing quote from `i` (just after the opening one), clearing
  // quote_; or to the end of the line when it continues on the next.
  size_t SkipQuoted(std::string_view line, size_t i) {
    while (i < line.size()) {
      const char c = line[i];
      if (quote_ == '"' && c == '\\') {
        i += 2;
        continue;
      }
      if (c == quote_) {
        if (quote_ == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
          i += 2;  // '' is a quote inside a single-quoted scalar
          continue;
        }
        quote_ = 0;
        return i + 1;
      }
      ++i;
    }
    return line.size();
  }

  const int max_depth_;
  int line_no_ = 0;
  struct Level {
    int column;   // 0-based column where its content starts
    bool dashes;  // a sequence whose "- " are at `column`
  };
  std::vector<Level> block_;      // open block levels, innermost last; columns never decrease
  int flow_ = 0;                  // open [ and { around the current position
  char flow_last_ = 0;            // the last non-blank character seen in flow context
  char quote_ = 0;                // the open quote of a scalar that spans lines, or 0
  int line_indent_ = 0;           // indentation of the current block-context line
  int block_scalar_parent_ = -1;  // inside a | or > scalar: its parent line's indentation
  std::optional<YamlTextPosition> found_;
};

}  // namespace

std::optional<YamlTextPosition> FindYamlNestingBeyond(std::string_view text, int max_depth) {
  NestingScanner scanner(max_depth);
  int line_no = 1;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (scanner.Line(text.substr(start, end - start), line_no)) break;
    start = end + 1;
    ++line_no;
  }
  return scanner.found();
}

}  // namespace opswatch
