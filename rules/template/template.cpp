#include "rules/template/template.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

#include "rules/template/template_parse.hpp"

namespace opswatch {

namespace {

using template_parse::Command;
using template_parse::Node;
using template_parse::Operand;
using template_parse::Pipeline;
using template_parse::Value;

// Prometheus prepends these definitions to every alert template, so Go's error positions on the
// first line are offset by their length; we report the same columns.
constexpr size_t kDefsLength = 112;

}  // namespace

std::string FormatGoFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits, then Go's %e/%f choice (exponent < -4 or >= 6 -> %e).
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string sci = buf;
  size_t e = sci.find('e');
  int exponent = std::atoi(sci.c_str() + e + 1);
  std::string mantissa = sci.substr(0, e);
  bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[24];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp;
  }
  if (exponent < 0) return out + "0." + std::string(-exponent - 1, '0') + digits;
  if (static_cast<int>(digits.size()) <= exponent + 1) {
    return out + digits + std::string(exponent + 1 - digits.size(), '0');
  }
  return out + digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
}

namespace template_parse {

std::string Value::TypeName() const {
  switch (kind) {
    case kFloat:
      return "float64";
    case kInt:
      return "int";
    case kString:
      return "string";
    case kBool:
      return "bool";
    case kMap:
      return "map[string]string";
    default:
      return "<nil>";
  }
}

std::string Value::Print() const {
  switch (kind) {
    case kFloat:
      return FormatGoFloat(f);
    case kInt:
      return std::to_string(i);
    case kString:
      return s;
    case kBool:
      return b ? "true" : "false";
    case kMap: {
      std::string out = "map[";
      bool first = true;
      for (const auto& label : *map) {
        out += (first ? "" : " ") + label.name + ":" + label.value;
        first = false;
      }
      return out + "]";
    }
    default:
      return "<no value>";
  }
}

bool Value::Truth() const {
  switch (kind) {
    case kFloat:
      return f != 0;
    case kInt:
      return i != 0;
    case kString:
      return !s.empty();
    case kBool:
      return b;
    case kMap:
      return !map->empty();
    default:
      return false;
  }
}

}  // namespace template_parse

namespace {

using template_parse::CallFunction;
using template_parse::ParseTemplate;

class Executor {
 public:
  Executor(std::string name, std::string_view text, const TemplateData& data)
      : name_(std::move(name)), text_(text), data_(data) {
    vars_["$labels"] = Value::Map(&data.labels);
    vars_["$externalLabels"] = Value::Map(&data.external_labels);
    vars_["$externalURL"] = Value::String(std::string(data.external_url));
    vars_["$value"] = Value::Float(data.value);
  }

  // Run, Eval, EvalCommand and Operand_ recurse once per nesting level of {{if}} and
  // parentheses; values and error texts live in helpers so their frames stay small
  // (kMaxTemplateDepth's budget).
  Status Run(const std::vector<Node>& nodes, std::string& out) {
    for (const auto& node : nodes) {
      if (node.kind == Node::kText) {
        out += node.text;
      } else if (node.kind == Node::kAction) {
        Status s = RunAction(node, out);
        if (!s.ok()) return s;
      } else {
        Result<bool> truth = Condition(node.pipe);
        if (!truth) return truth.status();
        Status s = Run(*truth ? node.then : node.otherwise, out);
        if (!s.ok()) return s;
      }
      if (out.size() > template_parse::kMaxTemplateOutput) return TooLong();
    }
    return Status::Ok();
  }

  // Whether Run failed on kMaxTemplateOutput rather than on the template or its data.
  bool limit_exceeded() const { return limit_exceeded_; }

 private:
  Status RunAction(const Node& node, std::string& out) {
    auto value = Eval(node.pipe);
    if (!value) return value.status();
    if (node.pipe.decl.empty()) out += value->Print();
    return Status::Ok();
  }

  Result<bool> Condition(const Pipeline& pipe) {
    auto value = Eval(pipe);
    if (!value) return value.status();
    return value->Truth();
  }

  Status TooLong() {
    limit_exceeded_ = true;
    return Status::Error("template: " + name_ + ": " + template_parse::OutputTooLong());
  }

  Status Fail(size_t pos, const std::string& context, const std::string& message) const {
    // Go's ErrorContext: line, and the byte offset within it; the first line also holds
    // Prometheus's prefix of variable definitions.
    std::string_view before = text_.substr(0, pos);
    size_t newline = before.rfind('\n');
    int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    size_t col = newline == std::string_view::npos ? pos + kDefsLength : pos - (newline + 1);
    return Status::Error("template: " + name_ + ":" + std::to_string(line) + ":" +
                         std::to_string(col) + ": executing \"" + name_ + "\" at <" + context +
                         ">: " + message);
  }

 private:
  Result<Value> Field(const Value& base, const std::vector<std::string>& path, size_t pos,
                      const std::string& context) {
    Value v = base;
    for (const auto& key : path) {
      if (v.kind != Value::kMap) {
        return Fail(pos, context, "can't evaluate field " + key + " in type " + v.TypeName());
      }
      v = Value::String(std::string(v.map->Get(key)));  // missingkey=zero: absent -> ""
    }
    return v;
  }

  Result<Value> Operand_(const Operand& op) {
    if (op.kind == Operand::kPipe) return Eval(*op.sub);
    return SimpleOperand(op);
  }

  // Every operand but a parenthesised pipeline: no recursion.
  Result<Value> SimpleOperand(const Operand& op) {
    switch (op.kind) {
      case Operand::kString:
        return Value::String(op.str);
      case Operand::kNumber:
        if (!op.is_int) return Value::Float(op.num);
        if (template_parse::GoInt64(op.num) == INT64_MIN && op.num != -9223372036854775808.0) {
          return Fail(op.pos, op.text, op.text + " overflows int");
        }
        return Value::Int(template_parse::GoInt64(op.num));
      case Operand::kBool:
        return Value::Bool(op.num != 0);
      case Operand::kNil:
        return Value{};
      case Operand::kPipe:
        break;  // Operand_'s
      case Operand::kVariable: {
        auto it = vars_.find(op.name);
        Value base = it == vars_.end() ? Value{} : it->second;
        return Field(base, op.path, op.pos, op.text);
      }
      case Operand::kField: {
        if (op.path.empty()) return Value::String("{}");  // "." alone: the data struct
        const std::string& top = op.path[0];
        Value base;
        if (top == "Labels")
          base = Value::Map(&data_.labels);
        else if (top == "ExternalLabels")
          base = Value::Map(&data_.external_labels);
        else if (top == "ExternalURL")
          base = Value::String(std::string(data_.external_url));
        else if (top == "Value")
          base = Value::Float(data_.value);
        else
          return Fail(op.pos, op.text,
                      "can't evaluate field " + top + " in type template.tmplData");
        return Field(base, {op.path.begin() + 1, op.path.end()}, op.pos, op.text);
      }
      case Operand::kFunction:
        break;
    }
    return Value{};
  }

  Result<Value> Eval(const Pipeline& pipe) {
    Value last;
    bool have_last = false;
    for (const auto& cmd : pipe.cmds) {
      Status s = EvalCommand(cmd, have_last, last);
      if (!s.ok()) return s;
      have_last = true;
    }
    if (!pipe.decl.empty()) vars_[pipe.decl] = last;
    return last;
  }

  // One command of a pipeline; `last` is the previous command's value (when `have_last`) and
  // receives this one's.
  Status EvalCommand(const Command& cmd, bool have_last, Value& last) {
    const Operand& head = cmd.args[0];
    if (head.kind != Operand::kFunction) {
      if (cmd.args.size() > 1 || have_last) return NotAFunction(cmd);
      auto v = Operand_(head);
      if (!v) return v.status();
      last = std::move(v).value();
      return Status::Ok();
    }
    std::vector<Value> args;
    for (size_t i = 1; i < cmd.args.size(); ++i) {
      auto v = Operand_(cmd.args[i]);
      if (!v) return v.status();
      args.push_back(std::move(v).value());
    }
    if (have_last) args.push_back(last);
    return Call(cmd, args, last);
  }

  Status NotAFunction(const Command& cmd) const {
    return Fail(cmd.pos, cmd.text, "can't give argument to non-function " + cmd.args[0].text);
  }

  Status Call(const Command& cmd, const std::vector<Value>& args, Value& last) {
    const std::string& name = cmd.args[0].name;
    auto result = CallFunction(name, args);
    if (!result) return Fail(cmd.pos, cmd.text, result.error());
    if (result->kind == Value::kString && result->s.size() > template_parse::kMaxTemplateOutput) {
      limit_exceeded_ = true;
      return Fail(cmd.pos, cmd.text,
                  "error calling " + name + ": " + template_parse::OutputTooLong());
    }
    last = std::move(result).value();
    return Status::Ok();
  }

  std::string name_;
  std::string_view text_;
  const TemplateData& data_;
  std::map<std::string, Value> vars_;
  bool limit_exceeded_ = false;
};

}  // namespace

AlertTemplate::AlertTemplate(std::string_view alert_name, std::string text)
    : name_("__alert_" + std::string(alert_name)), text_(std::move(text)) {
  literal_ = text_.find("{{") == std::string::npos;
  if (literal_) return;
  auto parsed = ParseTemplate(text_);
  if (!parsed) {
    parse_error_ =
        "error parsing template " + name_ + ": template: " + name_ + ":" + parsed.error();
    return;
  }
  parsed_ = std::make_unique<std::vector<template_parse::Node>>(std::move(parsed).value());
}

AlertTemplate::~AlertTemplate() = default;
AlertTemplate::AlertTemplate(AlertTemplate&&) noexcept = default;
AlertTemplate& AlertTemplate::operator=(AlertTemplate&&) noexcept = default;

std::string AlertTemplate::Expand(const TemplateData& data, std::string* limit_error) const {
  if (literal_) return text_;
  if (!parsed_) return "<error expanding template: " + parse_error_ + ">";
  Executor executor(name_, text_, data);
  std::string out;
  Status s = executor.Run(*parsed_, out);
  if (!s.ok()) {
    std::string message = "error executing template " + name_ + ": " + s.message();
    if (limit_error && executor.limit_exceeded()) *limit_error = message;
    return "<error expanding template: " + message + ">";
  }
  return out;
}

Status CheckTemplate(std::string_view alert_name, std::string_view text) {
  auto parsed = ParseTemplate(text);
  if (parsed) return Status::Ok();
  std::string name = "__alert_" + std::string(alert_name);
  return Status::Error("template: " + name + ":" + parsed.error());
}

}  // namespace opswatch
