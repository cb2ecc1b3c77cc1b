// Recursive-descent parser for the PromQL subset with Prometheus's precedence, associativity and
// static type checks. Anything outside the subset is rejected with an error naming the construct.
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <optional>

#include "rules/promql/promql_ast.hpp"
#include "rules/promql/promql_function_table.hpp"
#include "rules/promql/promql_lexer.hpp"

namespace opswatch::promql {
namespace {

// PromQL keywords (operators, modifiers, aggregation names) are case-insensitive; metric, label
// and function names are not. Comparing here keeps the token's own spelling for where a keyword
// is used as a name (a label called "on" inside by(...)).
bool EqualsKeyword(std::string_view text, std::string_view keyword) {
  return std::equal(text.begin(), text.end(), keyword.begin(), keyword.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<AggregateOp> FindAggregate(std::string_view written) {
  const std::string name = Lower(written);
  if (name == "sum") return AggregateOp::kSum;
  if (name == "min") return AggregateOp::kMin;
  if (name == "max") return AggregateOp::kMax;
  if (name == "avg") return AggregateOp::kAvg;
  if (name == "count") return AggregateOp::kCount;
  if (name == "stddev") return AggregateOp::kStddev;
  if (name == "stdvar") return AggregateOp::kStdvar;
  if (name == "group") return AggregateOp::kGroup;
  if (name == "quantile") return AggregateOp::kQuantile;
  if (name == "count_values") return AggregateOp::kCountValues;
  if (name == "topk") return AggregateOp::kTopk;
  if (name == "bottomk") return AggregateOp::kBottomk;
  return std::nullopt;
}

bool IsUnsupportedAggregate(std::string_view written) {
  const std::string name = Lower(written);
  // Newer than Prometheus 2.42 (experimental from 2.54): named rather than called unknown.
  static constexpr std::array<std::string_view, 2> kOthers = {"limitk", "limit_ratio"};
  return std::find(kOthers.begin(), kOthers.end(), name) != kOthers.end();
}

std::optional<BinaryOp> BinaryFromToken(const Token& t) {
  switch (t.kind) {
    case TokenKind::kAdd:
      return BinaryOp::kAdd;
    case TokenKind::kSub:
      return BinaryOp::kSub;
    case TokenKind::kMul:
      return BinaryOp::kMul;
    case TokenKind::kDiv:
      return BinaryOp::kDiv;
    case TokenKind::kMod:
      return BinaryOp::kMod;
    case TokenKind::kPow:
      return BinaryOp::kPow;
    case TokenKind::kEql:
      return BinaryOp::kEql;
    case TokenKind::kNeq:
      return BinaryOp::kNeq;
    case TokenKind::kGtr:
      return BinaryOp::kGtr;
    case TokenKind::kLss:
      return BinaryOp::kLss;
    case TokenKind::kGte:
      return BinaryOp::kGte;
    case TokenKind::kLte:
      return BinaryOp::kLte;
    case TokenKind::kIdentifier:
      if (EqualsKeyword(t.text, "and")) return BinaryOp::kAnd;
      if (EqualsKeyword(t.text, "or")) return BinaryOp::kOr;
      if (EqualsKeyword(t.text, "unless")) return BinaryOp::kUnless;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::string_view TypeText(ValueType t) {
  switch (t) {
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
  }
  return "?";
}

std::string Quote(std::string_view s) {
  std::string
      out;  // appended, not "\"" + s + "\"", to avoid GCC 12's -O3 -Wrestrict false positive
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

// Parse failures unwind as this exception inside the parser only; Parse() turns it into a Result.
struct ParseError {
  std::string message;
};

std::string TooDeep() {
  return "expression nests deeper than " + std::to_string(kMaxExprDepth) +
         " levels (parentheses, function calls, aggregations, unary and binary operators each "
         "count one)";
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  ExprPtr ParseAll() {
    ExprPtr e = ParseBinary(1);
    if (Peek().kind != TokenKind::kEnd) Unexpected(Peek());
    if (e->type != ValueType::kScalar && e->type != ValueType::kVector &&
        e->type != ValueType::kMatrix) {
      Fail(tokens_.front(), "expression must evaluate to a scalar or an instant vector, got " +
                                std::string(TypeText(e->type)));
    }
    if (e->type == ValueType::kMatrix) {
      Fail(tokens_.front(),
           "a range vector is only allowed as a function argument (e.g. rate(x[5m]))");
    }
    return e;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  [[noreturn]] void Fail(const Token& at, const std::string& problem) const {
    throw ParseError{std::to_string(at.line) + ":" + std::to_string(at.column) + ": " + problem};
  }
  [[noreturn]] void Unexpected(const Token& t) const {
    if (t.kind == TokenKind::kEnd) Fail(t, "unexpected end of input");
    if (t.kind == TokenKind::kString) Fail(t, "unexpected string " + Quote(t.text));
    Fail(t, "unexpected " + Quote(t.text));
  }
  const Token& Expect(TokenKind kind) {
    if (Peek().kind != kind) Unexpected(Peek());
    return Next();
  }
  bool IsKeyword(std::string_view word, size_t ahead = 0) const {
    return Peek(ahead).kind == TokenKind::kIdentifier && EqualsKeyword(Peek(ahead).text, word);
  }

  std::shared_ptr<Expr> Node(ExprKind kind, const Token& at) {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->column = at.column;
    return e;
  }

  // One level of the parser's own recursion (a parenthesis, call, aggregation or unary operator),
  // refused past kMaxExprDepth before descending further. A failed parse unwinds the whole parser,
  // so only the successful path needs to give the level back.
  class Nesting {
   public:
    Nesting(Parser& parser, const Token& at) : parser_(parser) {
      if (++parser_.nesting_ > kMaxExprDepth) parser_.Fail(at, TooDeep());
    }
    ~Nesting() { --parser_.nesting_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& parser_;
  };

  // Sets node.depth from its children; a binary chain grows the tree without recursing, so its
  // depth is checked here, where each operator joins the tree.
  void SetDepth(Expr& node, const Token& at) const {
    int below = 0;
    if (node.lhs) below = std::max(below, node.lhs->depth);
    if (node.rhs) below = std::max(below, node.rhs->depth);
    for (const auto& arg : node.args) below = std::max(below, arg->depth);
    node.depth = below + 1;
    if (node.depth > kMaxExprDepth) Fail(at, TooDeep());
  }

  ExprPtr ParseBinary(int min_precedence) {
    ExprPtr lhs = ParseUnary();
    for (;;) {
      const Token& op_token = Peek();
      if (op_token.kind == TokenKind::kIdentifier && EqualsKeyword(op_token.text, "atan2")) {
        FailUnsupported(op_token, "binary operator");
      }
      std::optional<BinaryOp> op = BinaryFromToken(op_token);
      if (!op || BinaryPrecedence(*op) < min_precedence) return lhs;
      Next();
      auto node = Node(ExprKind::kBinary, op_token);
      node->op = *op;
      ParseBinaryModifiers(*node, op_token);
      const int precedence = BinaryPrecedence(*op);
      // ^ is right-associative; everything else is left-associative.
      {
        Nesting level(*this, op_token);
        node->rhs = ParseBinary(*op == BinaryOp::kPow ? precedence : precedence + 1);
      }
      node->lhs = lhs;
      SetDepth(*node, op_token);
      CheckBinary(*node, op_token);
      lhs = node;
    }
  }

  void ParseBinaryModifiers(Expr& node, const Token& op_token) {
    if (IsKeyword("bool")) {
      if (!IsComparison(node.op))
        Fail(Peek(), "bool modifier can only be used on comparison operators");
      Next();
      node.return_bool = true;
    }
    if (IsKeyword("on") || IsKeyword("ignoring")) {
      node.matching_given = true;
      node.matching_on = EqualsKeyword(Next().text, "on");
      node.matching_labels = ParseLabelList();
    }
    // group_left/group_right only follow on(...) or ignoring(...); elsewhere they are
    // unexpected where an operand should start, as in Prometheus's grammar.
    if (node.matching_given && (IsKeyword("group_left") || IsKeyword("group_right"))) {
      node.group =
          EqualsKeyword(Next().text, "group_left") ? Expr::Group::kLeft : Expr::Group::kRight;
      if (Peek().kind == TokenKind::kLeftParen) node.include_labels = ParseLabelList();
      if (node.matching_on) CheckIncludeDisjoint(node, op_token);
    }
  }

  void CheckIncludeDisjoint(const Expr& node, const Token& op_token) const {
    for (const auto& label : node.matching_labels) {
      if (std::find(node.include_labels.begin(), node.include_labels.end(), label) !=
          node.include_labels.end()) {
        Fail(op_token, "label " + Quote(label) + " must not occur in ON and GROUP clause at once");
      }
    }
  }

  void CheckBinary(Expr& node, const Token& op_token) {
    const ValueType l = node.lhs->type;
    const ValueType r = node.rhs->type;
    const bool operands_ok = (l == ValueType::kScalar || l == ValueType::kVector) &&
                             (r == ValueType::kScalar || r == ValueType::kVector);
    if (!operands_ok)
      Fail(op_token, "binary expression must contain only scalar and instant vector types");
    const bool both_vectors = l == ValueType::kVector && r == ValueType::kVector;
    if (IsSetOperator(node.op) && !both_vectors) {
      Fail(op_token, "set operator " + Quote(BinaryOpText(node.op)) +
                         " not allowed in binary scalar expression");
    }
    if (node.matching_given && !both_vectors) {
      if (!node.matching_labels.empty()) {
        Fail(op_token, "vector matching only allowed between instant vectors");
      }
      // Prometheus drops an empty on()/ignoring() (and its group modifier) next to a scalar.
      node.matching_given = false;
      node.matching_on = false;
      node.group = Expr::Group::kNone;
      node.include_labels.clear();
    }
    if (IsSetOperator(node.op) && node.group != Expr::Group::kNone) {
      Fail(op_token, "no grouping allowed for " + Quote(BinaryOpText(node.op)) + " operation");
    }
    if (IsComparison(node.op) && l == ValueType::kScalar && r == ValueType::kScalar &&
        !node.return_bool) {
      Fail(op_token, "comparisons between scalars must use BOOL modifier");
    }
    node.type = (l == ValueType::kVector || r == ValueType::kVector) ? ValueType::kVector
                                                                     : ValueType::kScalar;
  }

  // Functions on the recursive path (ParseBinary, ParseUnary, ParsePrimary, ParseParen,
  // ParseIdentifier, ParseCall, ParseAggregate) leave building nodes and error messages to
  // helpers: their frames, repeated once per nesting level, stay small (kMaxExprDepth's budget).
  ExprPtr ParseUnary() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kAdd || t.kind == TokenKind::kSub) {
      Nesting level(*this, t);
      Next();
      // Unary operators bind tighter than * / % but looser than ^: -2^2 == -4, as Prometheus.
      return MakeUnary(t, ParseBinary(BinaryPrecedence(BinaryOp::kPow)));
    }
    return ParsePostfix(ParsePrimary());
  }

  ExprPtr MakeUnary(const Token& t, const ExprPtr& operand) {
    if (operand->type != ValueType::kScalar && operand->type != ValueType::kVector) {
      Fail(t,
           "unary expression only allowed on expressions of type scalar or instant vector, got " +
               std::string(TypeText(operand->type)));
    }
    if (operand->kind == ExprKind::kNumber) {  // Prometheus folds -<number> into the literal
      auto folded = std::make_shared<Expr>(*operand);
      folded->column = t.column;
      if (t.kind == TokenKind::kSub) folded->number = -folded->number;
      return folded;
    }
    auto node = Node(ExprKind::kUnary, t);
    node->op = t.kind == TokenKind::kSub ? BinaryOp::kSub : BinaryOp::kAdd;
    node->lhs = operand;
    node->type = operand->type;
    SetDepth(*node, t);
    return node;
  }

  ExprPtr ParsePostfix(ExprPtr e) {
    for (;;) {
      const Token& t = Peek();
      if (t.kind == TokenKind::kLeftBracket) {
        Next();
        const Token& d = Peek();
        if (d.kind != TokenKind::kDuration) {
          if (d.kind == TokenKind::kNumber) Fail(d, "bad duration syntax: " + Quote(d.text));
          Unexpected(d);
        }
        Next();
        if (Peek().kind == TokenKind::kIdentifier && !Peek().text.empty() &&
            Peek().text[0] == ':') {
          Fail(t, "unsupported subquery (only plain range selectors like x[5m] are supported)");
        }
        Expect(TokenKind::kRightBracket);
        if (e->offset_given) Fail(t, "no offset modifiers allowed before range");
        if (e->kind != ExprKind::kVectorSelector) {
          if (e->type == ValueType::kVector) {
            Fail(t, "unsupported subquery (only plain range selectors like x[5m] are supported)");
          }
          Fail(t, "ranges only allowed for vector selectors");
        }
        auto m = std::make_shared<Expr>(*e);
        m->kind = ExprKind::kMatrixSelector;
        m->range = std::chrono::milliseconds(d.millis);
        m->type = ValueType::kMatrix;
        e = m;
        continue;
      }
      if (IsKeyword("offset")) {
        e = ParseOffset(e);
        continue;
      }
      if (t.kind == TokenKind::kAt) Fail(t, "unsupported @ modifier");
      return e;
    }
  }

  // `<selector> offset [-]<duration>`: the selector reads as of that much earlier (later when
  // negative, which Prometheus accepts since 2.33).
  ExprPtr ParseOffset(const ExprPtr& e) {
    const Token& keyword = Next();
    bool negative = false;
    if (Peek().kind == TokenKind::kSub) {
      Next();
      negative = true;
    }
    const Token& d = Peek();
    if (d.kind != TokenKind::kDuration) {
      if (d.kind == TokenKind::kNumber) Fail(d, "bad duration syntax: " + Quote(d.text));
      Unexpected(d);
    }
    Next();
    if (e->kind != ExprKind::kVectorSelector && e->kind != ExprKind::kMatrixSelector) {
      Fail(keyword,
           "offset modifier must be preceded by an instant vector selector or range vector "
           "selector or a subquery");
    }
    if (e->offset_given) Fail(keyword, "offset may not be set multiple times");
    auto shifted = std::make_shared<Expr>(*e);
    shifted->offset_given = true;
    shifted->offset = std::chrono::milliseconds(negative ? -d.millis : d.millis);
    return shifted;
  }

  ExprPtr ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kNumber:
      case TokenKind::kString:
        Next();
        return MakeLiteral(t);
      case TokenKind::kDuration:
        FailUnexpectedDuration(t);
      case TokenKind::kLeftParen:
        return ParseParen(t);
      case TokenKind::kLeftBrace:
        return ParseSelector(t, "");
      case TokenKind::kIdentifier:
        return ParseIdentifier();
      default:
        Unexpected(t);
    }
  }

  ExprPtr MakeLiteral(const Token& t) {
    auto n = Node(t.kind == TokenKind::kNumber ? ExprKind::kNumber : ExprKind::kString, t);
    if (t.kind == TokenKind::kNumber) {
      n->number = t.number;
      n->type = ValueType::kScalar;
    } else {
      n->string = t.text;
      n->type = ValueType::kString;
    }
    return n;
  }

  [[noreturn]] void FailUnexpectedDuration(const Token& t) const {
    Fail(t, "unexpected duration " + Quote(t.text));
  }

  ExprPtr ParseParen(const Token& t) {
    Nesting level(*this, t);
    Next();
    auto p = Node(ExprKind::kParen, t);
    p->lhs = ParseBinary(1);
    p->type = p->lhs->type;
    SetDepth(*p, t);
    Expect(TokenKind::kRightParen);
    return p;
  }

  ExprPtr ParseIdentifier() {
    const Token& t = Next();
    if (IsInfOrNaN(t.text)) return MakeInfOrNaN(t);
    const bool call_follows = Peek().kind == TokenKind::kLeftParen;
    const bool grouping_follows = IsKeyword("by") || IsKeyword("without");
    if (call_follows || grouping_follows) {
      if (auto agg = FindAggregate(t.text)) return ParseAggregate(t, *agg);
      if (IsUnsupportedAggregate(t.text)) FailUnsupported(t, "aggregation");
    }
    if (call_follows) return ParseCall(t);
    CheckSelectorName(t);
    return ParseSelector(t, t.text);
  }

  static bool IsInfOrNaN(std::string_view word) {
    auto equal_lower = [](std::string_view a, std::string_view b) {
      return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == y;
      });
    };
    return equal_lower(word, "inf") || equal_lower(word, "nan");
  }

  ExprPtr MakeInfOrNaN(const Token& t) {
    auto n = Node(ExprKind::kNumber, t);
    n->number =
        std::tolower(static_cast<unsigned char>(t.text[0])) == 'i' ? HUGE_VAL : std::nan("");
    n->type = ValueType::kScalar;
    return n;
  }

  // A keyword where an expression should start is a syntax error.
  void CheckSelectorName(const Token& t) const {
    static constexpr std::array<std::string_view, 10> kKeywords = {
        "by",          "without", "on",  "ignoring", "group_left",
        "group_right", "bool",    "and", "or",       "unless"};
    const std::string word = Lower(t.text);
    if (std::find(kKeywords.begin(), kKeywords.end(), word) != kKeywords.end()) Unexpected(t);
    if (word == "offset") Unexpected(t);
  }

  [[noreturn]] void FailUnsupported(const Token& t, std::string_view what) const {
    Fail(t, "unsupported " + std::string(what) + " " + Quote(t.text));
  }

  void ParseGrouping(Expr& node) {
    node.grouping_given = true;
    node.without = EqualsKeyword(Next().text, "without");
    node.grouping = ParseLabelList();
  }

  ExprPtr ParseAggregate(const Token& t, AggregateOp op) {
    Nesting level(*this, t);
    auto node = Node(ExprKind::kAggregate, t);
    node->aggregate = op;
    if (IsKeyword("by") || IsKeyword("without")) ParseGrouping(*node);
    const Token& open = Expect(TokenKind::kLeftParen);
    std::vector<ExprPtr> args;
    if (Peek().kind != TokenKind::kRightParen) {
      args.push_back(ParseBinary(1));
      while (Peek().kind == TokenKind::kComma) {
        Next();
        args.push_back(ParseBinary(1));
      }
    }
    Expect(TokenKind::kRightParen);
    if (!node->grouping_given && (IsKeyword("by") || IsKeyword("without"))) ParseGrouping(*node);
    FinishAggregate(*node, args, open);
    SetDepth(*node, t);
    return node;
  }

  void FinishAggregate(Expr& node, const std::vector<ExprPtr>& args, const Token& open) const {
    const bool with_param =
        node.aggregate == AggregateOp::kQuantile || node.aggregate == AggregateOp::kCountValues ||
        node.aggregate == AggregateOp::kTopk || node.aggregate == AggregateOp::kBottomk;
    const size_t want = with_param ? 2 : 1;
    if (args.size() != want) {
      Fail(open, "wrong number of arguments for aggregate expression provided, expected " +
                     std::to_string(want) + ", got " + std::to_string(args.size()));
    }
    if (with_param) {
      const ValueType param_type =
          node.aggregate == AggregateOp::kCountValues ? ValueType::kString : ValueType::kScalar;
      if (args[0]->type != param_type) {
        Fail(open, "expected type " + std::string(TypeText(param_type)) +
                       " in aggregation parameter, got " + std::string(TypeText(args[0]->type)));
      }
      node.rhs = args[0];
    }
    const ExprPtr& operand = args.back();
    if (operand->type != ValueType::kVector) {
      Fail(open, "expected type instant vector in aggregation expression, got " +
                     std::string(TypeText(operand->type)));
    }
    node.lhs = operand;
    node.type = ValueType::kVector;
  }

  ExprPtr ParseCall(const Token& t) {
    const FunctionSpec* spec = FindFunction(t.text);
    if (spec == nullptr) FailUnsupported(t, "function");
    Nesting level(*this, t);
    auto node = Node(ExprKind::kCall, t);
    node->function = spec->function;
    Expect(TokenKind::kLeftParen);
    if (Peek().kind != TokenKind::kRightParen) {
      node->args.push_back(ParseBinary(1));
      while (Peek().kind == TokenKind::kComma) {
        Next();
        node->args.push_back(ParseBinary(1));
      }
    }
    Expect(TokenKind::kRightParen);
    CheckCall(*node, *spec, t);
    node->type = spec->result;
    SetDepth(*node, t);
    return node;
  }

  void CheckCall(const Expr& node, const FunctionSpec& spec, const Token& t) const {
    const size_t given = node.args.size();
    if (spec.variadic == 0 && given != spec.args.size()) {
      Fail(t, "expected " + std::to_string(spec.args.size()) + " argument(s) in call to " +
                  Quote(spec.name) + ", got " + std::to_string(given));
    }
    if (spec.variadic != 0 && given < spec.args.size() - 1) {
      Fail(t, "expected at least " + std::to_string(spec.args.size() - 1) +
                  " argument(s) in call to " + Quote(spec.name) + ", got " + std::to_string(given));
    }
    if (spec.variadic > 0 && given > spec.args.size() - 1 + spec.variadic) {
      Fail(t, "expected at most " + std::to_string(spec.args.size() - 1 + spec.variadic) +
                  " argument(s) in call to " + Quote(spec.name) + ", got " + std::to_string(given));
    }
    for (size_t i = 0; i < given; ++i) {
      const ValueType want = spec.args[std::min(i, spec.args.size() - 1)];
      if (node.args[i]->type != want) {
        Fail(t, "expected type " + std::string(TypeText(want)) + " in call to function " +
                    Quote(spec.name) + ", got " + std::string(TypeText(node.args[i]->type)));
      }
    }
  }

  std::vector<std::string> ParseLabelList() {
    Expect(TokenKind::kLeftParen);
    std::vector<std::string> labels;
    while (Peek().kind != TokenKind::kRightParen) {
      const Token& name = Peek();
      if (name.kind != TokenKind::kIdentifier || name.text.find(':') != std::string::npos) {
        Unexpected(name);
      }
      labels.push_back(Next().text);
      if (Peek().kind == TokenKind::kComma) {
        Next();
      } else if (Peek().kind != TokenKind::kRightParen) {
        Unexpected(Peek());
      }
    }
    Next();
    return labels;
  }

  ExprPtr ParseSelector(const Token& start, const std::string& name) {
    auto node = Node(ExprKind::kVectorSelector, start);
    node->type = ValueType::kVector;
    node->metric_name = name;
    if (!name.empty())
      node->matchers.push_back(Matcher{Matcher::Op::kEqual, "__name__", name, nullptr});
    if (Peek().kind == TokenKind::kLeftBrace) {
      Next();
      while (Peek().kind != TokenKind::kRightBrace) {
        const Token& label = Peek();
        if (label.kind != TokenKind::kIdentifier || label.text.find(':') != std::string::npos) {
          Unexpected(label);
        }
        Next();
        const Token& op = Next();
        Matcher m;
        m.name = label.text;
        switch (op.kind) {
          case TokenKind::kAssign:
            m.op = Matcher::Op::kEqual;
            break;
          case TokenKind::kNeq:
            m.op = Matcher::Op::kNotEqual;
            break;
          case TokenKind::kEqlRegex:
            m.op = Matcher::Op::kRegex;
            break;
          case TokenKind::kNeqRegex:
            m.op = Matcher::Op::kNotRegex;
            break;
          default:
            Unexpected(op);
        }
        const Token& value = Peek();
        if (value.kind != TokenKind::kString) Unexpected(value);
        Next();
        m.value = value.text;
        if (m.op == Matcher::Op::kRegex || m.op == Matcher::Op::kNotRegex) {
          RE2::Options options;
          options.set_dot_nl(true);
          options.set_log_errors(false);
          auto re = std::make_shared<const RE2>("^(?:" + m.value + ")$", options);
          if (!re->ok()) {
            const RE2 raw(m.value, options);  // its error text does not show our anchoring
            Fail(value, "invalid regular expression " + Quote(m.value) + ": " +
                            (raw.ok() ? re->error() : raw.error()));
          }
          m.regex = re;
        }
        if (m.name == "__name__" && !name.empty())
          Fail(label,
               "metric name must not be set twice: " + Quote(name) + " or " + Quote(m.value));
        node->matchers.push_back(std::move(m));
        if (Peek().kind == TokenKind::kComma) {
          Next();
        } else if (Peek().kind != TokenKind::kRightBrace) {
          Unexpected(Peek());
        }
      }
      Next();
    }
    const bool any_non_empty = std::any_of(node->matchers.begin(), node->matchers.end(),
                                           [](const Matcher& m) { return !m.Matches(""); });
    if (!any_non_empty) Fail(start, "vector selector must contain at least one non-empty matcher");
    node->selector_key = Format(*node);
    return node;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int nesting_ = 0;  // current depth of Nesting levels
};

}  // namespace

Expr::~Expr() {
  if (!lhs && !rhs && args.empty()) return;
  std::vector<ExprPtr> pending;
  auto detach_children = [&pending](Expr& e) {
    if (e.lhs) pending.push_back(std::move(e.lhs));
    if (e.rhs) pending.push_back(std::move(e.rhs));
    for (auto& arg : e.args) pending.push_back(std::move(arg));
    e.args.clear();
  };
  detach_children(*this);
  while (!pending.empty()) {
    ExprPtr child = std::move(pending.back());
    pending.pop_back();
    // Sole owner: nobody else can see the node, and every node was created non-const by the
    // parser, so emptying it before it dies is safe. A shared subtree is only released.
    if (child.use_count() == 1) detach_children(const_cast<Expr&>(*child));
  }
}

bool Matcher::Matches(std::string_view label_value) const {
  switch (op) {
    case Op::kEqual:
      return label_value == value;
    case Op::kNotEqual:
      return label_value != value;
    case Op::kRegex:
      return RE2::FullMatch(label_value, *regex);
    case Op::kNotRegex:
      return !RE2::FullMatch(label_value, *regex);
  }
  return false;
}

Result<ExprPtr> Parse(std::string_view text) {
  auto tokens = Lex(text);
  if (!tokens.ok()) return tokens.status();
  if (tokens->size() == 1) return Result<ExprPtr>::Error("1:1: no expression found in input");
  try {
    Parser parser(std::move(tokens).value());
    return parser.ParseAll();
  } catch (const ParseError& e) {
    return Result<ExprPtr>::Error(e.message);
  }
}

}  // namespace opswatch::promql
