// The functions alert templates can call: Prometheus's humanize family and Go's builtins, with
// Go's results and error texts.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>

#include "core/humanize.hpp"
#include "core/time_format.hpp"
#include "rules/template/template.hpp"
#include "rules/template/template_parse.hpp"

namespace opswatch::template_parse {

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Result<double> AsFloat(const Value& v) {
  switch (v.kind) {
    case Value::kFloat:
      return v.f;
    case Value::kInt:
      return static_cast<double>(v.i);
    case Value::kString: {
      char* end = nullptr;
      errno = 0;
      double d = std::strtod(v.s.c_str(), &end);
      if (v.s.empty() || end != v.s.c_str() + v.s.size()) {
        return Result<double>::Error("strconv.ParseFloat: parsing " + Quote(v.s) +
                                     ": invalid syntax");
      }
      return d;
    }
    default:
      return Result<double>::Error("can't convert " + v.TypeName() + " to float");
  }
}

// Go's time.Time.String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC".
std::string GoTimeString(double unix_seconds) {
  double whole = std::floor(unix_seconds);
  int64_t nanos = 0;
  time_t secs = 0;
  const int64_t unix_nanos = GoInt64(unix_seconds * 1e9);
  if (unix_nanos == INT64_MIN) {
    // Out of Prometheus's range (int64 nanoseconds): it prints what Go's conversion gives.
    secs = static_cast<time_t>(unix_nanos / 1'000'000'000 - 1);
    nanos = unix_nanos % 1'000'000'000 + 1'000'000'000;
  } else {
    nanos = static_cast<int64_t>(std::llround((unix_seconds - whole) * 1e9));
    secs = static_cast<time_t>(whole);
  }
  if (nanos >= 1'000'000'000) {
    secs += 1;
    nanos -= 1'000'000'000;
  }
  return FormatGoTimeString(secs, nanos);
}

std::string BadVerb(char verb, const Value& v) {
  return std::string("%!") + verb + "(" + v.TypeName() + "=" + v.Print() + ")";
}

// C's snprintf into a string of the size it needs (bounded: widths and precisions are capped).
template <typename T>
std::string FormatC(const std::string& spec, T value) {
  const int size = std::snprintf(nullptr, 0, spec.c_str(), value);
  if (size <= 0) return "";
  std::string out(static_cast<size_t>(size) + 1, '\0');
  std::snprintf(out.data(), out.size(), spec.c_str(), value);
  out.pop_back();
  return out;
}

// Go's fmt reads at most this many digits' worth of a width or precision; a longer number is "a
// crazy long number most likely": the rest of the format is dropped and %!(NOVERB) printed.
constexpr int kGoTooLarge = 1000000;

// A width or precision after a verb's flags. `number` is -1 when absent; `overflow` follows Go's
// parsenum: past kGoTooLarge the whole remaining format is consumed.
struct FormatNumber {
  int number = -1;
  bool overflow = false;
};

FormatNumber ParseFormatNumber(const std::string& format, size_t& i) {
  FormatNumber n;
  while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) {
    if (n.number > kGoTooLarge) {
      n.overflow = true;
      i = format.size();
      return n;
    }
    n.number = (n.number < 0 ? 0 : n.number * 10) + (format[i] - '0');
    ++i;
  }
  return n;
}

// Go's fmt.Sprintf for the verbs alert templates use: %v %s %q %d %f %F %e %E %g %G %x %%.
// Unlike Go, a width or precision above kMaxPrintfWidth is dropped with Go's marker for an
// unusable one (%!(BADWIDTH), %!(BADPREC)) ("%.999999999f" would cost gigabytes), and formatting
// stops once the text is longer than kMaxTemplateOutput (the executor then refuses it).
std::string GoSprintf(const std::string& format, const std::vector<Value>& args) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (out.size() > kMaxTemplateOutput) break;
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    ++i;
    std::string spec = "%";  // flags, and the width and precision we keep
    while (i < format.size() && std::string_view("+-# 0").find(format[i]) != std::string_view::npos)
      spec += format[i++];
    const FormatNumber width = ParseFormatNumber(format, i);
    FormatNumber precision;
    bool has_precision = false;
    if (!width.overflow && i < format.size() && format[i] == '.') {
      has_precision = true;
      ++i;
      precision = ParseFormatNumber(format, i);
      if (precision.number < 0) precision.number = 0;  // "%.f": precision 0, as in Go and C
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    if (width.number > kMaxPrintfWidth) {
      out += "%!(BADWIDTH)";
    } else if (width.number >= 0) {
      spec += std::to_string(width.number);
    }
    if (has_precision && precision.number > kMaxPrintfWidth) {
      out += "%!(BADPREC)";
      has_precision = false;
    } else if (has_precision) {
      spec += "." + std::to_string(precision.number);
    }
    char verb = format[i];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (next >= args.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    const Value& arg = args[next++];
    double f = arg.kind == Value::kInt ? static_cast<double>(arg.i) : arg.f;
    switch (verb) {
      case 'v':
      case 's':
        if (verb == 's' && arg.kind != Value::kString) {
          out += BadVerb(verb, arg);
        } else if (arg.kind == Value::kFloat && has_precision) {
          out += FormatC(spec + "g", f);
        } else {
          out += FormatC(spec + "s", arg.Print().c_str());
        }
        break;
      case 'q':
        if (arg.kind != Value::kString) {
          out += BadVerb(verb, arg);
        } else {
          out += Quote(arg.s);
        }
        break;
      case 'd':
      case 'x':
        if (arg.kind != Value::kInt) {
          out += BadVerb(verb, arg);
        } else {
          out += FormatC(spec + "ll" + verb, static_cast<long long>(arg.i));
        }
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
        if (arg.kind != Value::kFloat) {
          out += BadVerb(verb, arg);
        } else if (std::isnan(f) || std::isinf(f)) {
          out += std::isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf";
        } else if ((verb == 'g' || verb == 'G') && !has_precision) {
          out += FormatC(spec + "s", FormatGoFloat(f).c_str());
        } else {
          out += FormatC(spec + verb, f);
        }
        break;
      default:
        out += BadVerb(verb, arg);
    }
  }
  if (next < args.size() && out.size() <= kMaxTemplateOutput) {
    out += "%!(EXTRA ";
    for (size_t k = next; k < args.size() && out.size() <= kMaxTemplateOutput; ++k) {
      out += (k > next ? ", " : "") + args[k].TypeName() + "=" + args[k].Print();
    }
    out += ")";
  }
  return out;
}

// Go's basicKind comparison: both sides must be the same kind of scalar.
Result<int> Compare(const Value& a, const Value& b, bool ordered) {
  auto bad_type = [](const Value& v) { return v.kind == Value::kMap || v.kind == Value::kNil; };
  if (bad_type(a) || bad_type(b)) return Result<int>::Error("invalid type for comparison");
  if (a.kind != b.kind) return Result<int>::Error("incompatible types for comparison");
  switch (a.kind) {
    case Value::kFloat:
      return a.f < b.f ? -1 : a.f > b.f ? 1 : a.f == b.f ? 0 : 2;
    case Value::kInt:
      return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    case Value::kString:
      return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
    default:
      if (ordered) return Result<int>::Error("invalid type for comparison");
      return a.b == b.b ? 0 : 1;
  }
}

Result<std::string> StringArg(const Value& v) {
  if (v.kind != Value::kString) {
    return Result<std::string>::Error("wrong type for value; expected string; got " + v.TypeName());
  }
  return v.s;
}

using Fn = std::function<Result<Value>(const std::vector<Value>&)>;

Fn Unary(std::function<Result<Value>(const Value&)> f) {
  return [f](const std::vector<Value>& args) { return f(args[0]); };
}

Fn Humanizer(std::string (*h)(double)) {
  return Unary([h](const Value& v) -> Result<Value> {
    auto f = AsFloat(v);
    if (!f) return f.status();
    return Value::String(h(*f));
  });
}

Fn StringFn(std::function<std::string(std::string)> f) {
  return Unary([f](const Value& v) -> Result<Value> {
    auto s = StringArg(v);
    if (!s) return s.status();
    return Value::String(f(*s));
  });
}

Fn Comparison(std::function<bool(int)> accept, bool ordered) {
  return [accept, ordered](const std::vector<Value>& args) -> Result<Value> {
    auto c = Compare(args[0], args[1], ordered);
    if (!c) return c.status();
    return Value::Bool(*c != 2 && accept(*c));
  };
}

struct FunctionSpec {
  int arity;  // -1: variadic (at least one)
  Fn fn;
};

const std::map<std::string, FunctionSpec, std::less<>>& Functions() {
  static const auto* functions = new std::map<std::string, FunctionSpec, std::less<>>{
      {"humanize", {1, Humanizer(&Humanize)}},
      {"humanize1024", {1, Humanizer(&Humanize1024)}},
      {"humanizeDuration", {1, Humanizer(&HumanizeDuration)}},
      {"humanizePercentage", {1, Humanizer(&HumanizePercentage)}},
      {"humanizeTimestamp", {1, Unary([](const Value& v) -> Result<Value> {
                               auto f = AsFloat(v);
                               if (!f) return f.status();
                               if (std::isnan(*f) || std::isinf(*f))
                                 return Value::String(Humanize(*f));
                               return Value::String(GoTimeString(*f));
                             })}},
      {"toUpper", {1, StringFn([](std::string s) {
                     for (auto& c : s)
                       c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                     return s;
                   })}},
      {"toLower", {1, StringFn([](std::string s) {
                     for (auto& c : s)
                       c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                     return s;
                   })}},
      {"title", {1, StringFn([](std::string s) {
                   bool start = true;
                   for (auto& c : s) {
                     if (start && std::isalpha(static_cast<unsigned char>(c)))
                       c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                     start = !std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '\'';
                   }
                   return s;
                 })}},
      {"printf",
       {-1,
        [](const std::vector<Value>& args) -> Result<Value> {
          auto format = StringArg(args[0]);
          if (!format) return format.status();
          return Value::String(GoSprintf(*format, {args.begin() + 1, args.end()}));
        }}},
      {"print",
       {-1,
        [](const std::vector<Value>& args) -> Result<Value> {
          std::string out;
          for (size_t i = 0; i < args.size(); ++i) {
            // fmt.Sprint adds a space between operands when neither is a string.
            if (i > 0 && args[i].kind != Value::kString && args[i - 1].kind != Value::kString)
              out += ' ';
            out += args[i].Print();
            if (out.size() > kMaxTemplateOutput) break;  // refused by the executor
          }
          return Value::String(out);
        }}},
      {"eq", {2, Comparison([](int c) { return c == 0; }, false)}},
      {"ne", {2, Comparison([](int c) { return c != 0; }, false)}},
      {"lt", {2, Comparison([](int c) { return c < 0; }, true)}},
      {"le", {2, Comparison([](int c) { return c <= 0; }, true)}},
      {"gt", {2, Comparison([](int c) { return c > 0; }, true)}},
      {"ge", {2, Comparison([](int c) { return c >= 0; }, true)}},
      {"not", {1, Unary([](const Value& v) -> Result<Value> { return Value::Bool(!v.Truth()); })}},
      {"and",
       {-1,
        [](const std::vector<Value>& args) -> Result<Value> {
          for (const auto& a : args) {
            if (!a.Truth()) return a;
          }
          return args.back();
        }}},
      {"or",
       {-1,
        [](const std::vector<Value>& args) -> Result<Value> {
          for (const auto& a : args) {
            if (a.Truth()) return a;
          }
          return args.back();
        }}},
      {"len", {1, Unary([](const Value& v) -> Result<Value> {
                 if (v.kind == Value::kString) return Value::Int(static_cast<int64_t>(v.s.size()));
                 if (v.kind == Value::kMap) return Value::Int(static_cast<int64_t>(v.map->size()));
                 return Result<Value>::Error("len of type " + v.TypeName());
               })}},
      {"index",
       {2,
        [](const std::vector<Value>& args) -> Result<Value> {
          if (args[0].kind != Value::kMap) {
            return Result<Value>::Error("can't index item of type " + args[0].TypeName());
          }
          auto key = StringArg(args[1]);
          if (!key) return key.status();
          return Value::String(std::string(args[0].map->Get(*key)));
        }}},
  };
  return *functions;
}

}  // namespace

bool IsKnownFunction(std::string_view name) { return Functions().count(name) > 0; }

Result<Value> CallFunction(const std::string& name, const std::vector<Value>& args) {
  auto it = Functions().find(name);
  if (it == Functions().end()) return Result<Value>::Error("function \"" + name + "\" not defined");
  const FunctionSpec& spec = it->second;
  if ((spec.arity >= 0 && static_cast<int>(args.size()) != spec.arity) ||
      (spec.arity < 0 && args.empty())) {
    return Result<Value>::Error(
        "wrong number of args for " + name + ": want " +
        (spec.arity < 0 ? std::string("at least 1") : std::to_string(spec.arity)) + " got " +
        std::to_string(args.size()));
  }
  auto result = spec.fn(args);
  if (!result) return Result<Value>::Error("error calling " + name + ": " + result.error());
  return result;
}

}  // namespace opswatch::template_parse
