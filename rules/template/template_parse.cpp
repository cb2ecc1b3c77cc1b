#include "rules/template/template_parse.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <set>

namespace opswatch::template_parse {

namespace {

struct Token {
  enum Kind { kIdent, kVar, kField, kString, kNumber, kPipe, kLParen, kRParen, kDecl, kDot } kind;
  std::string text;  // identifier / variable / field name / decoded string / number text
  size_t pos;
};

// One {{ }} action, lexed.
struct Action {
  std::vector<Token> tokens;
  size_t pos;  // offset of "{{"
};

struct Item {
  bool is_action = false;
  std::string text;
  Action action;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int LineOf(std::string_view text, size_t pos) {
  return 1 + static_cast<int>(
                 std::count(text.begin(), text.begin() + std::min(pos, text.size()), '\n'));
}

Status Err(std::string_view text, size_t pos, const std::string& message) {
  return Status::Error(std::to_string(LineOf(text, pos)) + ": " + message);
}

std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Lexes the inside of an action starting at `i` (just after "{{" and an optional trim marker) up
// to "}}"; sets `end` past "}}" and `trim_right` when the action ended with " -}}".
Status LexAction(std::string_view text, size_t i, Action& action, size_t& end, bool& trim_right) {
  while (true) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    if (i >= text.size()) return Err(text, i, "unclosed action");
    if (text.compare(i, 2, "}}") == 0) {
      end = i + 2;
      trim_right = false;
      return Status::Ok();
    }
    if (text.compare(i, 3, "-}}") == 0 && i > 0 && IsSpace(text[i - 1])) {
      end = i + 3;
      trim_right = true;
      return Status::Ok();
    }
    char c = text[i];
    size_t start = i;
    if (c == '"' || c == '`') {
      std::string value;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char d = text[i];
        if (d == c) {
          closed = true;
          ++i;
          break;
        }
        if (c == '"' && d == '\n') break;
        if (c == '"' && d == '\\' && i + 1 < text.size()) {
          char e = text[i + 1];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          i += 2;
          continue;
        }
        value += d;
        ++i;
      }
      if (!closed) {
        return Err(text, start,
                   c == '"' ? "unterminated quoted string" : "unterminated raw quoted string");
      }
      action.tokens.push_back({Token::kString, value, start});
    } else if (c == '|') {
      action.tokens.push_back({Token::kPipe, "|", i++});
    } else if (c == '(') {
      action.tokens.push_back({Token::kLParen, "(", i++});
    } else if (c == ')') {
      action.tokens.push_back({Token::kRParen, ")", i++});
    } else if (c == ':' && i + 1 < text.size() && text[i + 1] == '=') {
      action.tokens.push_back({Token::kDecl, ":=", i});
      i += 2;
    } else if (c == '$' || c == '.' || std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      if (c == '.' &&
          (i + 1 >= text.size() ||
           !(std::isalpha(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '_'))) {
        if (i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])))
          goto number;
        action.tokens.push_back({Token::kDot, ".", i++});
        continue;
      }
      ++i;
      while (i < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_'))
        ++i;
      Token::Kind kind = c == '$' ? Token::kVar : c == '.' ? Token::kField : Token::kIdent;
      std::string name(
          text.substr(c == '.' ? start + 1 : start, i - (c == '.' ? start + 1 : start)));
      action.tokens.push_back({kind, name, start});
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') {
    number:
      ++i;
      while (i < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
              ((text[i] == '-' || text[i] == '+') && (text[i - 1] == 'e' || text[i - 1] == 'E')))) {
        ++i;
      }
      action.tokens.push_back({Token::kNumber, std::string(text.substr(start, i - start)), start});
    } else {
      char buf[64];
      std::snprintf(buf, sizeof buf, "bad character U+%04X '%c'", static_cast<unsigned char>(c), c);
      return Err(text, i, buf);
    }
  }
}

std::string TooDeep() {
  return "if, else if and parentheses nest deeper than " + std::to_string(kMaxTemplateDepth) +
         " levels";
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Item> items) : text_(text), items_(std::move(items)) {}

  // Parses items until an {{else}} / {{end}} (returned in `stop`) or the end.
  Status List(std::vector<Node>& out, std::string& stop, bool nested) {
    while (next_ < items_.size()) {
      const Item& item = items_[next_++];
      if (!item.is_action) {
        AddText(item, out);
        continue;
      }
      if (item.action.tokens.empty()) return MissingValue(item.action);
      if (IsKeyword(item.action, "end") || IsKeyword(item.action, "else")) {
        return Stop(item.action, nested, stop);
      }
      if (IsKeyword(item.action, "if")) {
        out.emplace_back();  // parsed in place: no Node on this frame (see If)
        Status s = If(item.action, 1, out.back());
        if (!s.ok()) return s;
        continue;
      }
      Status s = PlainAction(item.action, out);
      if (!s.ok()) return s;
    }
    if (nested) return UnexpectedEof();
    return Status::Ok();
  }

 private:
  static bool IsKeyword(const Action& action, std::string_view word) {
    return action.tokens[0].kind == Token::kIdent && action.tokens[0].text == word;
  }

  static void AddText(const Item& item, std::vector<Node>& out) {
    if (!item.text.empty()) out.push_back(Node{Node::kText, item.text, {}, {}, {}});
  }

  Status MissingValue(const Action& action) const {
    return Err(text_, action.pos, "missing value for command");
  }

  Status UnexpectedEof() const { return Err(text_, text_.size(), "unexpected EOF"); }

  // {{end}} or {{else ...}}: ends the list being parsed (returned in `stop`).
  Status Stop(const Action& action, bool nested, std::string& stop) {
    const Token& head = action.tokens[0];
    if (!nested) return Err(text_, head.pos, "unexpected {{" + head.text + "}}");
    stop = head.text;
    stop_action_ = &action;
    return Status::Ok();
  }

  // An action other than if/else/end: a pipeline whose value is printed (or declared).
  Status PlainAction(const Action& action, std::vector<Node>& out) {
    const Token& head = action.tokens[0];
    if (head.kind == Token::kIdent &&
        (head.text == "range" || head.text == "with" || head.text == "define" ||
         head.text == "template" || head.text == "block" || head.text == "break" ||
         head.text == "continue")) {
      return Err(text_, head.pos, "\"" + head.text + "\" is not supported by opswatch templates");
    }
    Node node;
    node.kind = Node::kAction;
    size_t i = 0;
    Status s = ParsePipeline(action.tokens, i, node.pipe, /*in_parens=*/false);
    if (!s.ok()) return s;
    out.push_back(std::move(node));
    return Status::Ok();
  }

  // One level of recursion for the lifetime of a scope; a level past the limit is refused before
  // the parser descends into it.
  class Nesting {
   public:
    explicit Nesting(int& depth) : depth_(depth) { ++depth_; }
    ~Nesting() { --depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    bool too_deep() const { return depth_ > kMaxTemplateDepth; }

   private:
    int& depth_;
  };

  // List, If and (for parentheses) ParsePipeline and ParseOperand recurse once per nesting
  // level; they parse into nodes already in the tree and leave error texts to helpers, so their
  // frames stay small (kMaxTemplateDepth's budget).
  Status If(const Action& action, size_t first, Node& node) {
    Nesting level(depth_);
    if (level.too_deep()) return TooDeepAt(action.tokens[first - 1]);
    node.kind = Node::kIf;
    size_t i = first;
    if (i >= action.tokens.size()) return MissingIfValue(action);
    Status s = ParsePipeline(action.tokens, i, node.pipe, false);
    if (!s.ok()) return s;
    std::string stop;
    s = List(node.then, stop, true);
    if (!s.ok()) return s;
    if (stop == "end") return Status::Ok();
    const Action& else_action = *stop_action_;
    if (else_action.tokens.size() > 1) {
      s = CheckElseIf(else_action);
      if (!s.ok()) return s;
      node.otherwise.emplace_back();
      return If(else_action, 2, node.otherwise.back());  // "else if" shares the outer {{end}}
    }
    s = List(node.otherwise, stop, true);
    if (!s.ok()) return s;
    if (stop != "end") return SecondElse();
    return Status::Ok();
  }

  Status MissingIfValue(const Action& action) const {
    return Err(text_, action.pos, "missing value for if");
  }

  Status SecondElse() const {
    return Err(text_, stop_action_->pos, "expected end; found {{else}}");
  }

  Status CheckElseIf(const Action& else_action) const {
    if (else_action.tokens[1].kind != Token::kIdent || else_action.tokens[1].text != "if") {
      return Err(text_, else_action.tokens[1].pos,
                 "unexpected " + else_action.tokens[1].text + " in else");
    }
    return Status::Ok();
  }

  Status TooDeepAt(const Token& t) const { return Err(text_, t.pos, TooDeep()); }

  Status ParsePipeline(const std::vector<Token>& toks, size_t& i, Pipeline& pipe, bool in_parens) {
    if (i + 1 < toks.size() && toks[i].kind == Token::kVar && toks[i + 1].kind == Token::kDecl) {
      pipe.decl = toks[i].text;
      declared_.insert(pipe.decl);
      i += 2;
    }
    while (true) {
      Command& cmd = pipe.cmds.emplace_back();  // parsed in place: no Command on this frame
      cmd.pos = i < toks.size() ? toks[i].pos : 0;
      while (i < toks.size() && toks[i].kind != Token::kPipe && toks[i].kind != Token::kRParen) {
        Status s = ParseOperand(toks, i, cmd.args.emplace_back());
        if (!s.ok()) return s;
        AppendText(cmd);
      }
      if (cmd.args.empty()) return MissingValue(toks, i, cmd.pos);
      if (i < toks.size() && toks[i].kind == Token::kPipe) {
        ++i;
        continue;
      }
      if (i < toks.size() && toks[i].kind == Token::kRParen) {
        if (!in_parens) return Err(text_, toks[i].pos, "unexpected right paren");
        return Status::Ok();
      }
      if (in_parens) return Err(text_, toks.empty() ? 0 : toks.back().pos, "unclosed left paren");
      return Status::Ok();
    }
  }

  static void AppendText(Command& cmd) {
    if (cmd.args.size() > 1) cmd.text += ' ';
    cmd.text += cmd.args.back().text;
  }

  Status MissingValue(const std::vector<Token>& toks, size_t i, size_t pos) const {
    return Err(text_, i < toks.size() ? toks[i].pos : pos, "missing value for command");
  }

  Status ParseOperand(const std::vector<Token>& toks, size_t& i, Operand& op) {
    if (toks[i].kind == Token::kLParen) return ParseParenthesised(toks, i, op);
    return ParseSimpleOperand(toks, i, op);
  }

  Status ParseParenthesised(const std::vector<Token>& toks, size_t& i, Operand& op) {
    const Token& t = toks[i++];
    op.pos = t.pos;
    Nesting level(depth_);
    if (level.too_deep()) return TooDeepAt(t);
    op.kind = Operand::kPipe;
    op.sub = std::make_shared<Pipeline>();
    Status s = ParsePipeline(toks, i, *op.sub, true);
    if (!s.ok()) return s;
    ++i;  // ')'
    op.text = "(...)";
    return Status::Ok();
  }

  // Every operand but a parenthesised pipeline: no recursion.
  Status ParseSimpleOperand(const std::vector<Token>& toks, size_t& i, Operand& op) {
    const Token& t = toks[i++];
    op.pos = t.pos;
    switch (t.kind) {
      case Token::kString:
        op.kind = Operand::kString;
        op.str = t.text;
        op.text = GoQuote(t.text);
        return Status::Ok();
      case Token::kNumber: {
        op.kind = Operand::kNumber;
        char* end = nullptr;
        op.num = std::strtod(t.text.c_str(), &end);
        if (t.text.empty() || end != t.text.c_str() + t.text.size()) {
          return Err(text_, t.pos, "bad number syntax: \"" + t.text + "\"");
        }
        op.is_int = t.text.find_first_of(".eE") == std::string::npos;
        op.text = t.text;
        return Status::Ok();
      }
      case Token::kIdent:
        op.text = t.text;
        if (t.text == "true" || t.text == "false") {
          op.kind = Operand::kBool;
          op.num = t.text == "true";
        } else if (t.text == "nil") {
          op.kind = Operand::kNil;
        } else if (IsKnownFunction(t.text)) {
          op.kind = Operand::kFunction;
          op.name = t.text;
        } else if (IsQueryFunction(t.text)) {
          return Err(
              text_, t.pos,
              "function \"" + t.text + "\" needs a query engine and is not supported by opswatch");
        } else {
          return Err(text_, t.pos, "function \"" + t.text + "\" not defined");
        }
        return Status::Ok();
      case Token::kVar:
        op.kind = Operand::kVariable;
        op.name = t.text;
        op.text = t.text;
        if (t.text != "$" && !kPredeclared.count(t.text) && !declared_.count(t.text)) {
          return Err(text_, t.pos, "undefined variable \"" + t.text + "\"");
        }
        FieldChain(toks, i, op);
        return Status::Ok();
      case Token::kField:
        op.kind = Operand::kField;
        op.path.push_back(t.text);
        op.text = "." + t.text;
        FieldChain(toks, i, op);
        return Status::Ok();
      case Token::kDot:
        op.kind = Operand::kField;
        op.text = ".";
        return Status::Ok();
      default:
        return Err(text_, t.pos, "unexpected \"" + t.text + "\" in operand");
    }
  }

  static void FieldChain(const std::vector<Token>& toks, size_t& i, Operand& op) {
    // A field directly follows its base ("$labels.x"), without a space.
    while (i < toks.size() && toks[i].kind == Token::kField &&
           toks[i].pos == toks[i - 1].pos + toks[i - 1].text.size() +
                              (toks[i - 1].kind == Token::kField ? 1 : 0)) {
      op.path.push_back(toks[i].text);
      op.text += "." + toks[i].text;
      ++i;
    }
  }

  static bool IsQueryFunction(std::string_view name) {
    static const std::set<std::string_view> kQuery = {
        "query",       "first",       "label",         "value",    "sortByLabel",
        "strvalue",    "args",        "tmpl",          "safeHtml", "pathPrefix",
        "externalURL", "graphLink",   "tableLink",     "match",    "reReplaceAll",
        "stripPort",   "stripDomain", "parseDuration", "toTime"};
    return kQuery.count(name) > 0;
  }

  inline static const std::set<std::string> kPredeclared = {"$labels", "$externalLabels",
                                                            "$externalURL", "$value"};
  std::string_view text_;
  std::vector<Item> items_;
  size_t next_ = 0;
  const Action* stop_action_ = nullptr;
  std::set<std::string> declared_;
  int depth_ = 0;  // levels of If and parenthesised pipelines being parsed
};

}  // namespace

Result<std::vector<Node>> ParseTemplate(std::string_view text) {
  std::vector<Item> items;
  size_t i = 0;
  bool trim_next = false;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    std::string chunk(
        text.substr(i, open == std::string_view::npos ? std::string_view::npos : open - i));
    if (trim_next)
      chunk.erase(0, chunk.find_first_not_of(" \t\r\n") == std::string::npos
                         ? chunk.size()
                         : chunk.find_first_not_of(" \t\r\n"));
    if (open == std::string_view::npos) {
      items.push_back(Item{false, chunk, {}});
      break;
    }
    size_t inner = open + 2;
    if (text.compare(inner, 2, "- ") == 0 ||
        (text.compare(inner, 1, "-") == 0 && inner + 1 < text.size() && IsSpace(text[inner + 1]))) {
      while (!chunk.empty() && IsSpace(chunk.back())) chunk.pop_back();
      inner += 1;
    }
    items.push_back(Item{false, chunk, {}});
    size_t probe = inner;
    while (probe < text.size() && IsSpace(text[probe])) ++probe;
    if (text.compare(probe, 2, "/*") == 0) {
      size_t close = text.find("*/", probe + 2);
      if (close == std::string_view::npos) return Err(text, open, "unclosed comment");
      size_t after = close + 2;
      while (after < text.size() && IsSpace(text[after])) ++after;
      trim_next = false;
      if (text.compare(after, 3, "-}}") == 0) {
        trim_next = true;
        after += 1;
      }
      if (text.compare(after, 2, "}}") != 0)
        return Err(text, close, "comment ends before closing delimiter");
      i = after + 2;
      continue;
    }
    Item item;
    item.is_action = true;
    item.action.pos = open;
    size_t end = 0;
    Status s = LexAction(text, inner, item.action, end, trim_next);
    if (!s.ok()) return s;
    items.push_back(std::move(item));
    i = end;
  }
  Parser parser(text, std::move(items));
  std::vector<Node> nodes;
  std::string stop;
  Status s = parser.List(nodes, stop, false);
  if (!s.ok()) return s;
  return nodes;
}

}  // namespace opswatch::template_parse
