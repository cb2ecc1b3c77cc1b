#include "collectors/check_expr.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace opswatch {

// ---- Values ---------------------------------------------------------------------------------

namespace {

struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  size_t size = 0;  // arrays and objects: element count (their content is not compared)
};

const char* KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return "boolean";
    case Value::Kind::kNumber:
      return "number";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kArray:
      return "array";
    case Value::Kind::kObject:
      return "object";
  }
  return "?";
}

Value FromJson(const nlohmann::json& node) {
  Value v;
  if (node.is_boolean()) {
    v.kind = Value::Kind::kBool;
    v.boolean = node.get<bool>();
  } else if (node.is_number()) {
    v.kind = Value::Kind::kNumber;
    v.number = node.get<double>();
  } else if (node.is_string()) {
    v.kind = Value::Kind::kString;
    v.string = node.get<std::string>();
  } else if (node.is_array()) {
    v.kind = Value::Kind::kArray;
    v.size = node.size();
  } else if (node.is_object()) {
    v.kind = Value::Kind::kObject;
    v.size = node.size();
  }
  return v;
}

Value Bool(bool b) {
  Value v;
  v.kind = Value::Kind::kBool;
  v.boolean = b;
  return v;
}

Value Number(double n) {
  Value v;
  v.kind = Value::Kind::kNumber;
  v.number = n;
  return v;
}

}  // namespace

// ---- Tree -----------------------------------------------------------------------------------

struct CheckNode {
  enum class Kind {
    kLiteral,
    kPath,
    kStatus,
    kDuration,
    kBody,
    kNot,
    kAnd,
    kOr,
    kCompare,
    kMatch,
    kLen,
    kExists
  };
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Kind kind = Kind::kLiteral;
  Op op = Op::kEq;
  bool negate = false;  // kMatch: !~
  Value literal;
  JsonPath path;
  std::string path_text;  // for error messages
  std::shared_ptr<const CheckNode> left, right;
  std::shared_ptr<const RE2> regex;
  int depth = 1;  // levels in this subtree; the parser keeps it <= kMaxCheckDepth
};

namespace {

using NodePtr = std::shared_ptr<const CheckNode>;

Result<Value> Eval(const CheckNode& node, const CheckInput& in);

Result<bool> EvalBool(const CheckNode& node, const CheckInput& in) {
  auto v = Eval(node, in);
  if (!v) return v.status();
  if (v->kind != Value::Kind::kBool) {
    return Result<bool>::Error(std::string("expected a boolean, got a ") + KindName(v->kind));
  }
  return v->boolean;
}

bool Equal(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::kNull:
      return true;
    case Value::Kind::kBool:
      return a.boolean == b.boolean;
    case Value::Kind::kNumber:
      return a.number == b.number;
    case Value::Kind::kString:
      return a.string == b.string;
    default:
      return false;  // containers are never equal to anything (compare their fields)
  }
}

Result<Value> Compare(CheckNode::Op op, const Value& a, const Value& b) {
  using Op = CheckNode::Op;
  if (op == Op::kEq) return Bool(Equal(a, b));
  if (op == Op::kNe) return Bool(!Equal(a, b));
  int order = 0;
  if (a.kind == Value::Kind::kNumber && b.kind == Value::Kind::kNumber) {
    if (std::isnan(a.number) || std::isnan(b.number)) return Bool(false);
    order = a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
  } else if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) {
    int c = a.string.compare(b.string);
    order = c < 0 ? -1 : c > 0 ? 1 : 0;
  } else {
    return Result<Value>::Error(std::string("cannot order a ") + KindName(a.kind) + " and a " +
                                KindName(b.kind));
  }
  switch (op) {
    case Op::kLt:
      return Bool(order < 0);
    case Op::kLe:
      return Bool(order <= 0);
    case Op::kGt:
      return Bool(order > 0);
    default:
      return Bool(order >= 0);
  }
}

// Eval and the functions it calls for operators recurse once per level of the check; each kind
// of node has its own function so the frames on that path stay small (kMaxCheckDepth's budget).
Result<Value> EvalLeaf(const CheckNode& node, const CheckInput& in) {
  using Kind = CheckNode::Kind;
  switch (node.kind) {
    case Kind::kStatus:
      return Number(double(in.status));
    case Kind::kDuration:
      return Number(in.duration_seconds);
    case Kind::kBody: {
      Value v;
      v.kind = Value::Kind::kString;
      v.string = std::string(in.body);
      return v;
    }
    case Kind::kPath: {
      if (in.json == nullptr) return Result<Value>::Error("body is not valid JSON");
      const nlohmann::json* found = LookupJsonPath(*in.json, node.path);
      if (found == nullptr) return Result<Value>::Error(node.path_text + " is missing");
      return FromJson(*found);
    }
    case Kind::kExists:
      return Bool(in.json != nullptr && LookupJsonPath(*in.json, node.path) != nullptr);
    default:
      return node.literal;
  }
}

Result<Value> EvalLen(const CheckNode& node, const CheckInput& in) {
  auto v = Eval(*node.left, in);
  if (!v) return v;
  if (v->kind == Value::Kind::kString) return Number(double(v->string.size()));
  if (v->kind == Value::Kind::kArray || v->kind == Value::Kind::kObject) {
    return Number(double(v->size));
  }
  return Result<Value>::Error(std::string("len() of a ") + KindName(v->kind));
}

Result<Value> EvalNot(const CheckNode& node, const CheckInput& in) {
  auto b = EvalBool(*node.left, in);
  if (!b) return b.status();
  return Bool(!*b);
}

Result<Value> EvalAndOr(const CheckNode& node, const CheckInput& in) {
  auto l = EvalBool(*node.left, in);
  if (!l) return l.status();
  if (node.kind == CheckNode::Kind::kAnd && !*l) return Bool(false);
  if (node.kind == CheckNode::Kind::kOr && *l) return Bool(true);
  auto r = EvalBool(*node.right, in);
  if (!r) return r.status();
  return Bool(*r);
}

Result<Value> EvalCompare(const CheckNode& node, const CheckInput& in) {
  auto l = Eval(*node.left, in);
  if (!l) return l;
  auto r = Eval(*node.right, in);
  if (!r) return r;
  return Compare(node.op, *l, *r);
}

Result<Value> EvalMatch(const CheckNode& node, const CheckInput& in) {
  auto l = Eval(*node.left, in);
  if (!l) return l;
  if (l->kind != Value::Kind::kString) {
    return Result<Value>::Error(std::string("=~ needs a string, got a ") + KindName(l->kind));
  }
  bool matched = RE2::PartialMatch(l->string, *node.regex);
  return Bool(matched != node.negate);
}

Result<Value> Eval(const CheckNode& node, const CheckInput& in) {
  using Kind = CheckNode::Kind;
  switch (node.kind) {
    case Kind::kLen:
      return EvalLen(node, in);
    case Kind::kNot:
      return EvalNot(node, in);
    case Kind::kAnd:
    case Kind::kOr:
      return EvalAndOr(node, in);
    case Kind::kCompare:
      return EvalCompare(node, in);
    case Kind::kMatch:
      return EvalMatch(node, in);
    default:
      return EvalLeaf(node, in);
  }
}

// ---- Lexer ----------------------------------------------------------------------------------

struct Token {
  enum class Kind { kEnd, kIdent, kNumber, kString, kPunct };
  Kind kind = Kind::kEnd;
  std::string text;  // identifier, decoded string, punctuation, or number source
  double number = 0;
  size_t offset = 0;
};

struct ParseFailure {
  size_t offset;
  std::string message;
};

std::variant<std::vector<Token>, ParseFailure> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto is_ident_start = [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
  };
  auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.offset = i;
    if (is_ident_start(c)) {
      size_t j = i;
      while (j < s.size() && is_ident(s[j])) ++j;
      t.kind = Token::Kind::kIdent;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      std::string rest(s.substr(i));
      char* end = nullptr;
      errno = 0;
      double n = std::strtod(rest.c_str(), &end);
      size_t len = size_t(end - rest.c_str());
      if (len == 0 || errno == ERANGE || (i + len < s.size() && is_ident(s[i + len]))) {
        return ParseFailure{i, "invalid number"};
      }
      t.kind = Token::Kind::kNumber;
      t.number = n;
      t.text = rest.substr(0, len);
      i += len;
    } else if (c == '"' || c == '\'') {
      size_t j = i + 1;
      std::string decoded;
      bool closed = false;
      while (j < s.size()) {
        char d = s[j];
        if (d == c) {
          closed = true;
          ++j;
          break;
        }
        if (d == '\\' && j + 1 < s.size()) {
          char e = s[j + 1];
          switch (e) {
            case 'n':
              decoded += '\n';
              break;
            case 't':
              decoded += '\t';
              break;
            case '\\':
            case '"':
            case '\'':
              decoded += e;
              break;
            default:
              decoded += '\\';
              decoded += e;  // keep regex escapes like \d intact
          }
          j += 2;
          continue;
        }
        decoded += d;
        ++j;
      }
      if (!closed) return ParseFailure{i, "unterminated string"};
      t.kind = Token::Kind::kString;
      t.text = std::move(decoded);
      i = j;
    } else {
      static const char* kTwo[] = {"==", "!=", "<=", ">=", "&&", "||", "=~", "!~"};
      t.kind = Token::Kind::kPunct;
      for (const char* op : kTwo) {
        if (s.substr(i, 2) == op) t.text = op;
      }
      if (t.text.empty()) {
        if (std::string_view("<>!()[].,$-").find(c) == std::string_view::npos) {
          return ParseFailure{i, std::string("unexpected character '") + c + "'"};
        }
        t.text = std::string(1, c);
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.offset = s.size();
  out.push_back(end);
  return out;
}

}  // namespace

// ---- Parser ---------------------------------------------------------------------------------

struct CheckParser {
  std::vector<Token> tokens;
  size_t pos = 0;
  bool uses_json = false;
  std::optional<ParseFailure> failure;
  int nesting = 0;  // current depth of Level scopes

  // One level of the parser's recursion ("(", "!", "len("); a level past kMaxCheckDepth is
  // refused before descending into it.
  class Level {
   public:
    explicit Level(CheckParser& parser) : parser_(parser) { ++parser_.nesting; }
    ~Level() { --parser_.nesting; }
    Level(const Level&) = delete;
    Level& operator=(const Level&) = delete;
    bool too_deep() const { return parser_.nesting > kMaxCheckDepth; }

   private:
    CheckParser& parser_;
  };

  const Token& Peek() const { return tokens[pos]; }
  bool IsPunct(const char* p) const {
    return Peek().kind == Token::Kind::kPunct && Peek().text == p;
  }
  NodePtr Fail(size_t offset, std::string message) {
    if (!failure) failure = ParseFailure{offset, std::move(message)};
    return nullptr;
  }
  NodePtr FailHere(const std::string& expected) {
    const Token& t = Peek();
    std::string got = t.kind == Token::Kind::kEnd ? "end of check" : "\"" + t.text + "\"";
    if (t.kind == Token::Kind::kString) got = "a string";
    return Fail(t.offset, "expected " + expected + ", got " + got);
  }
  static NodePtr Make(CheckNode node) { return std::make_shared<const CheckNode>(std::move(node)); }
  static std::string TooDeep() {
    return "check nests deeper than " + std::to_string(kMaxCheckDepth) +
           " levels (parentheses, !, len() and each && or || count one)";
  }
  // A node with operands: its depth is checked here, where `a && b && ...` grows the tree without
  // recursing. `offset` is its operator's.
  NodePtr Join(CheckNode node, size_t offset) {
    node.depth = 1 + std::max(node.left ? node.left->depth : 0, node.right ? node.right->depth : 0);
    if (node.depth > kMaxCheckDepth) return Fail(offset, TooDeep());
    return Make(std::move(node));
  }

  // ParseOr, ParseAnd, ParseComparison, ParseUnary, ParsePrimary and ParseLenOrExists recurse
  // once per nesting level; they leave building nodes (a CheckNode is large) and error texts to
  // helpers so their frames stay small (kMaxCheckDepth's budget).
  NodePtr ParseOr() {
    NodePtr left = ParseAnd();
    while (left && IsPunct("||")) {
      const size_t offset = Peek().offset;
      ++pos;
      NodePtr right = ParseAnd();
      if (!right) return nullptr;
      left = Binary(CheckNode::Kind::kOr, CheckNode::Op::kEq, left, right, offset);
    }
    return left;
  }

  NodePtr ParseAnd() {
    NodePtr left = ParseComparison();
    while (left && IsPunct("&&")) {
      const size_t offset = Peek().offset;
      ++pos;
      NodePtr right = ParseComparison();
      if (!right) return nullptr;
      left = Binary(CheckNode::Kind::kAnd, CheckNode::Op::kEq, left, right, offset);
    }
    return left;
  }

  NodePtr ParseComparison() {
    NodePtr left = ParseUnary();
    if (!left) return nullptr;
    if (IsPunct("=~") || IsPunct("!~")) return ParseMatch(left);
    const std::optional<CheckNode::Op> op = ComparisonOp();
    if (!op) return left;
    const size_t offset = Peek().offset;
    ++pos;
    NodePtr right = ParseUnary();
    if (!right) return nullptr;
    return Binary(CheckNode::Kind::kCompare, *op, left, right, offset);
  }

  std::optional<CheckNode::Op> ComparisonOp() const {
    static const std::pair<const char*, CheckNode::Op> kOps[] = {
        {"==", CheckNode::Op::kEq}, {"!=", CheckNode::Op::kNe}, {"<", CheckNode::Op::kLt},
        {"<=", CheckNode::Op::kLe}, {">", CheckNode::Op::kGt},  {">=", CheckNode::Op::kGe}};
    for (const auto& [text, op] : kOps) {
      if (IsPunct(text)) return op;
    }
    return std::nullopt;
  }

  NodePtr Binary(CheckNode::Kind kind, CheckNode::Op op, const NodePtr& left, const NodePtr& right,
                 size_t offset) {
    CheckNode n;
    n.kind = kind;
    n.op = op;
    n.left = left;
    n.right = right;
    return Join(std::move(n), offset);
  }

  // `left =~ "regex"` or `left !~ "regex"`; the right side is a literal, so no recursion here.
  NodePtr ParseMatch(const NodePtr& left) {
    const size_t offset = Peek().offset;
    bool negate = Peek().text == "!~";
    ++pos;
    if (Peek().kind != Token::Kind::kString) return FailHere("a quoted regular expression");
    auto regex = std::make_shared<RE2>(Peek().text, RE2::Quiet);
    if (!regex->ok()) {
      return Fail(Peek().offset, "invalid regular expression: " + regex->error());
    }
    ++pos;
    CheckNode n;
    n.kind = CheckNode::Kind::kMatch;
    n.negate = negate;
    n.left = left;
    n.regex = std::move(regex);
    return Join(std::move(n), offset);
  }

  NodePtr ParseUnary() {
    if (!IsPunct("!")) return ParsePrimary();
    const size_t offset = Peek().offset;
    Level level(*this);
    if (level.too_deep()) return FailTooDeep(offset);
    ++pos;
    NodePtr child = ParseUnary();
    if (!child) return nullptr;
    return Binary(CheckNode::Kind::kNot, CheckNode::Op::kEq, child, nullptr, offset);
  }

  NodePtr ParsePrimary() {
    if (IsPunct("(")) {
      const size_t offset = Peek().offset;
      Level level(*this);
      if (level.too_deep()) return FailTooDeep(offset);
      ++pos;
      NodePtr inner = ParseOr();
      if (!inner) return nullptr;
      if (!IsPunct(")")) return FailHere("\")\"");
      ++pos;
      return inner;
    }
    if (IsLenOrExists()) return ParseLenOrExists();
    return ParseOperand();
  }

  bool IsLenOrExists() const {
    const Token& t = Peek();
    return t.kind == Token::Kind::kIdent && (t.text == "len" || t.text == "exists") &&
           tokens[pos + 1].kind == Token::Kind::kPunct && tokens[pos + 1].text == "(";
  }

  NodePtr ParseLenOrExists() {
    const size_t offset = Peek().offset;
    const bool is_len = Peek().text == "len";
    Level level(*this);
    if (level.too_deep()) return FailTooDeep(offset);
    pos += 2;
    NodePtr inner = is_len ? ParseOr() : ParseExistsPath();
    if (!inner) return nullptr;
    if (!IsPunct(")")) return FailHere("\")\"");
    ++pos;
    return is_len ? Binary(CheckNode::Kind::kLen, CheckNode::Op::kEq, inner, nullptr, offset)
                  : inner;
  }

  NodePtr ParseExistsPath() {
    if (Peek().kind != Token::Kind::kIdent && !IsPunct("$")) return FailHere("a JSON path");
    NodePtr path = ParsePath();
    if (!path) return nullptr;
    CheckNode n;
    n.kind = CheckNode::Kind::kExists;
    n.path = path->path;
    n.path_text = path->path_text;
    return Make(std::move(n));
  }

  NodePtr FailTooDeep(size_t offset) { return Fail(offset, TooDeep()); }

  // A literal, `status`, `duration_seconds`, `body` or a JSON path: no recursion.
  NodePtr ParseOperand() {
    const Token& t = Peek();
    CheckNode n;
    if (t.kind == Token::Kind::kNumber ||
        (IsPunct("-") && tokens[pos + 1].kind == Token::Kind::kNumber)) {
      bool negative = IsPunct("-");
      if (negative) ++pos;
      n.literal = Number(negative ? -Peek().number : Peek().number);
      ++pos;
      return Make(std::move(n));
    }
    if (t.kind == Token::Kind::kString) {
      n.literal.kind = Value::Kind::kString;
      n.literal.string = t.text;
      ++pos;
      return Make(std::move(n));
    }
    if (IsPunct("$")) return ParsePath();
    if (t.kind != Token::Kind::kIdent) return FailHere("a value, path or \"(\"");
    const std::string& word = t.text;
    if (word == "true" || word == "false") {
      n.literal = Bool(word == "true");
      ++pos;
      return Make(std::move(n));
    }
    if (word == "null") {
      ++pos;
      return Make(std::move(n));
    }
    if (word == "status" || word == "duration_seconds" || word == "body") {
      n.kind = word == "status"             ? CheckNode::Kind::kStatus
               : word == "duration_seconds" ? CheckNode::Kind::kDuration
                                            : CheckNode::Kind::kBody;
      ++pos;
      return Make(std::move(n));
    }
    return ParsePath();
  }

  // ident ( "." ident | "[" number "]" | "[" string "]" )*, or "$" followed by the same steps.
  NodePtr ParsePath() {
    CheckNode n;
    n.kind = CheckNode::Kind::kPath;
    size_t start = Peek().offset;
    if (IsPunct("$")) {
      n.path_text = "$";
      ++pos;
    } else {
      n.path.segments.emplace_back(Peek().text);
      n.path_text = Peek().text;
      ++pos;
    }
    while (true) {
      if (IsPunct(".")) {
        ++pos;
        if (Peek().kind != Token::Kind::kIdent) return FailHere("a field name after \".\"");
        n.path.segments.emplace_back(Peek().text);
        n.path_text += "." + Peek().text;
        ++pos;
      } else if (IsPunct("[")) {
        ++pos;
        const Token& index = Peek();
        if (index.kind == Token::Kind::kString) {
          n.path.segments.emplace_back(index.text);
          n.path_text += "[\"" + index.text + "\"]";
        } else if (index.kind == Token::Kind::kNumber && index.number >= 0 &&
                   index.number == std::floor(index.number) && index.number < 1e9) {
          n.path.segments.emplace_back(size_t(index.number));
          n.path_text += "[" + index.text + "]";
        } else {
          return FailHere("an array index or a quoted key");
        }
        ++pos;
        if (!IsPunct("]")) return FailHere("\"]\"");
        ++pos;
      } else {
        break;
      }
    }
    (void)start;
    uses_json = true;
    return Make(std::move(n));
  }
};

namespace {

template <typename T>
Result<T> Failed(const ParseFailure& f, CheckParseError* error) {
  if (error) *error = CheckParseError{f.offset, f.message};
  return Result<T>::Error("column " + std::to_string(f.offset + 1) + ": " + f.message);
}

}  // namespace

Result<bool> CheckExpr::Evaluate(const CheckInput& input) const { return EvalBool(*root_, input); }

Result<CheckExpr> ParseCheck(std::string_view text, CheckParseError* error) {
  auto lexed = Lex(text);
  if (auto* f = std::get_if<ParseFailure>(&lexed)) return Failed<CheckExpr>(*f, error);
  CheckParser parser;
  parser.tokens = std::move(std::get<std::vector<Token>>(lexed));
  if (parser.tokens.size() == 1) return Failed<CheckExpr>({0, "empty check"}, error);
  NodePtr root = parser.ParseOr();
  if (root && parser.Peek().kind != Token::Kind::kEnd) {
    parser.FailHere("an operator or end of check");
    root = nullptr;
  }
  if (!root) return Failed<CheckExpr>(*parser.failure, error);
  CheckExpr expr;
  expr.text_ = std::string(text);
  expr.uses_json_ = parser.uses_json;
  expr.root_ = std::move(root);
  return expr;
}

Result<JsonPath> ParseJsonPath(std::string_view text, CheckParseError* error) {
  auto lexed = Lex(text);
  if (auto* f = std::get_if<ParseFailure>(&lexed)) return Failed<JsonPath>(*f, error);
  CheckParser parser;
  parser.tokens = std::move(std::get<std::vector<Token>>(lexed));
  if (parser.Peek().kind != Token::Kind::kIdent && !parser.IsPunct("$")) {
    parser.FailHere("a JSON path");
    return Failed<JsonPath>(*parser.failure, error);
  }
  NodePtr path = parser.ParsePath();
  if (path && parser.Peek().kind != Token::Kind::kEnd) {
    parser.FailHere("end of path");
    path = nullptr;
  }
  if (!path) return Failed<JsonPath>(*parser.failure, error);
  return path->path;
}

}  // namespace opswatch
