#include "core/config_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/bounded_read.hpp"
#include "core/utf8.hpp"
#include "core/yaml_nesting.hpp"

namespace opswatch {

void ConfigErrors::Add(const YAML::Mark& mark, std::string message) {
  ConfigError error;
  if (!mark.is_null()) {
    error.line = mark.line + 1;
    error.column = mark.column + 1;
  }
  error.message = EscapeInvalidUtf8(message);
  errors_.push_back(std::move(error));
}

std::string ConfigErrors::Format(std::string_view file) const {
  std::vector<ConfigError> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  std::string out;
  const std::string name = EscapeInvalidUtf8(file);
  for (size_t i = 0; i < sorted.size() && i < kMaxFormattedErrors; ++i) {
    const ConfigError& e = sorted[i];
    out += name;
    if (e.line > 0) out += ":" + std::to_string(e.line) + ":" + std::to_string(e.column);
    out += ": " + e.message + "\n";
  }
  if (sorted.size() > kMaxFormattedErrors) {
    out += name + ": ... and " + std::to_string(sorted.size() - kMaxFormattedErrors) +
           " more problems\n";
  }
  return out;
}

namespace {

// Records where each document starts and ignores everything else.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::vector<YAML::Mark> starts;
};

const char* NodeKind(const YAML::Node& node) {
  return node.IsMap()        ? "mapping"
         : node.IsSequence() ? "list"
         : node.IsScalar()   ? "scalar"
                             : "null";
}

// The position of byte `offset` of `text` as a mark (yaml-cpp counts columns in bytes too).
YAML::Mark MarkAt(std::string_view text, size_t offset) {
  YAML::Mark mark;
  mark.pos = static_cast<int>(offset);
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = (offset == 0 || line_start == std::string_view::npos) ? 0 : line_start + 1;
  mark.line = static_cast<int>(std::count(text.begin(), text.begin() + line_start, '\n'));
  mark.column = static_cast<int>(offset - line_start);
  return mark;
}

// Reports every key that appears twice in one mapping, at the repetition. Iterative (the tree may
// be deep) and visits a node reached through several aliases once (an alias bomb stays linear).
void CheckRepeatedKeys(const YAML::Node& root, ConfigErrors& errors) {
  struct Pending {
    YAML::Node node;
    std::string path;
  };
  std::vector<Pending> stack{{root, ""}};
  std::unordered_set<int> visited;  // positions of collections already walked
  while (!stack.empty()) {
    Pending item = std::move(stack.back());
    stack.pop_back();
    const YAML::Node& node = item.node;
    if (!node.IsMap() && !node.IsSequence()) continue;
    if (!node.Mark().is_null() && !visited.insert(node.Mark().pos).second) continue;
    if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) {
        stack.push_back({node[i], item.path + "[" + std::to_string(i) + "]"});
      }
      continue;
    }
    std::unordered_map<std::string, int> first_line;
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      if (it->first.IsScalar()) {
        auto [seen, inserted] = first_line.emplace(key, it->first.Mark().line + 1);
        if (!inserted) {
          errors.Add(it->first, (item.path.empty() ? std::string("top level") : item.path) +
                                    ": duplicate key \"" + key + "\" (first defined at line " +
                                    std::to_string(seen->second) + ")");
        }
      }
      stack.push_back({it->second, item.path.empty() ? key : item.path + "." + key});
    }
  }
}

}  // namespace

YAML::Node LoadYamlDocument(std::string_view text, ConfigErrors& errors) {
  const YAML::Node failed(YAML::NodeType::Undefined);
  if (size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    errors.Add(MarkAt(text, bad), "invalid UTF-8 byte " + EscapeInvalidUtf8(text.substr(bad, 1)) +
                                      " (the file must be UTF-8 text)");
    return failed;
  }
  const std::string too_deep = "nesting deeper than " + std::to_string(kMaxYamlDepth) + " levels";
  // yaml-cpp recurses once per level: refuse deep text before it sees it.
  if (auto deep = FindYamlNestingBeyond(text)) {
    YAML::Mark mark;
    mark.line = deep->line - 1;
    mark.column = deep->column - 1;
    errors.Add(mark, too_deep);
    return failed;
  }
  YAML::Node document;
  try {
    // Count documents without building them, and stop at the second: yaml-cpp's LoadAll never
    // returns on some inputs (found by config_fuzz: after a "..." marker it produced documents
    // until memory ran out).
    std::stringstream in{std::string(text)};
    YAML::Parser parser(in);
    DocumentCounter counter;
    int documents = 0;
    while (documents < 2 && parser.HandleNextDocument(counter)) ++documents;
    if (documents == 0) return YAML::Node(YAML::NodeType::Null);
    if (documents > 1) {
      errors.Add(counter.starts.size() > 1 ? counter.starts[1] : YAML::Mark(),
                 "a second YAML document is not allowed (one file holds one document; remove the "
                 "\"---\" line)");
      return failed;
    }
    document = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's own limit (~500): the scan missed it
    errors.Add(e.mark, too_deep);
    return failed;
  } catch (const YAML::Exception& e) {
    errors.Add(e.mark, "invalid YAML: " + e.msg);
    return failed;
  }
  size_t before = errors.size();
  CheckRepeatedKeys(document, errors);
  return errors.size() == before ? document : failed;
}

Result<std::string> ExpandEnv(std::string_view text, const ConfigEnv& env) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (text[i + 1] != '{') {
      out += c;
      ++i;
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Result<std::string>::Error("unterminated \"${\" (write $$ for a literal $)");
    }
    std::string_view body = text.substr(i + 2, close - i - 2);
    std::optional<std::string> fallback;
    size_t dash = body.find(":-");
    std::string name(body.substr(0, dash));
    if (dash != std::string_view::npos) fallback = std::string(body.substr(dash + 2));
    bool valid_name = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                      std::all_of(name.begin(), name.end(), [](char ch) {
                        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
                      });
    if (!valid_name) {
      return Result<std::string>::Error("invalid environment variable reference \"${" +
                                        std::string(body.substr(0, dash)) + "}\"");
    }
    auto value = env.GetEnv(name);
    if (value && !IsValidUtf8(*value)) {
      return Result<std::string>::Error("environment variable \"" + name + "\" is not valid UTF-8");
    }
    if (value && !value->empty()) {
      out += *value;
    } else if (fallback) {
      out += *fallback;
    } else if (value) {
      out += *value;  // set but empty: honour it, as a shell would for ${VAR}
    } else {
      return Result<std::string>::Error("environment variable \"" + name +
                                        "\" is not set (write ${" + name +
                                        ":-default} to give a default)");
    }
    i = close + 1;
  }
  return out;
}

MapReader::MapReader(const YAML::Node& node, std::string path, ConfigErrors& errors,
                     const ConfigEnv& env)
    : node_(node), path_(std::move(path)), errors_(errors), env_(env) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    errors_.Add(node_, (path_.empty() ? std::string("top level") : path_) +
                           ": expected a mapping of keys to values, not a " + NodeKind(node_));
    is_map_ = false;
  }
}

std::string MapReader::KeyPath(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

YAML::Node MapReader::Lookup(const std::string& key) {
  known_.insert(key);
  if (!is_map_ || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool MapReader::Has(const std::string& key) const {
  if (!is_map_ || !node_.IsMap()) return false;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return true;
  }
  return false;
}

void MapReader::Accept(const std::string& key) { known_.insert(key); }

YAML::Node MapReader::Child(const std::string& key) { return Lookup(key); }

void MapReader::Fail(const std::string& key, const std::string& message) {
  YAML::Node value = Lookup(key);
  errors_.Add(value.IsDefined() ? value.Mark() : node_.Mark(), KeyPath(key) + ": " + message);
}

std::optional<std::string> MapReader::ScalarString(const std::string& key) {
  YAML::Node value = Lookup(key);
  if (!value.IsDefined()) return std::nullopt;
  if (!value.IsScalar()) {
    errors_.Add(value, KeyPath(key) + ": expected a single value, not a " +
                           (value.IsMap()        ? "mapping"
                            : value.IsSequence() ? "list"
                                                 : "null"));
    return std::nullopt;
  }
  auto expanded = ExpandEnv(value.Scalar(), env_);
  if (!expanded) {
    errors_.Add(value, KeyPath(key) + ": " + expanded.error());
    return std::nullopt;
  }
  return std::move(expanded).value();
}

namespace {
bool MissingRequired(MapReader& reader, const std::string& key, bool required) {
  if (required && !reader.Has(key)) {
    reader.errors().Add(reader.node().Mark(), reader.KeyPath(key) + ": missing required key");
    return true;
  }
  return false;
}
}  // namespace

bool MapReader::String(const std::string& key, std::string& out, bool required) {
  if (MissingRequired(*this, key, required)) return false;
  if (!Has(key)) return Lookup(key), true;
  auto value = ScalarString(key);
  if (!value) return false;
  out = std::move(*value);
  return true;
}

bool MapReader::Bool(const std::string& key, bool& out) {
  if (!Has(key)) return Lookup(key), true;
  auto value = ScalarString(key);
  if (!value) return false;
  if (*value == "true") {
    out = true;
  } else if (*value == "false") {
    out = false;
  } else {
    Fail(key, "expected true or false, got \"" + *value + "\"");
    return false;
  }
  return true;
}

bool MapReader::Double(const std::string& key, double& out, bool required) {
  if (MissingRequired(*this, key, required)) return false;
  if (!Has(key)) return Lookup(key), true;
  auto value = ScalarString(key);
  if (!value) return false;
  errno = 0;
  char* end = nullptr;
  double number = std::strtod(value->c_str(), &end);
  if (value->empty() || end != value->c_str() + value->size() || errno == ERANGE ||
      std::isnan(number)) {
    Fail(key, "expected a number, got \"" + *value + "\"");
    return false;
  }
  out = number;
  return true;
}

bool MapReader::Int(const std::string& key, int64_t& out) {
  if (!Has(key)) return Lookup(key), true;
  auto value = ScalarString(key);
  if (!value) return false;
  errno = 0;
  char* end = nullptr;
  long long number = std::strtoll(value->c_str(), &end, 10);
  if (value->empty() || end != value->c_str() + value->size() || errno == ERANGE) {
    Fail(key, "expected a whole number, got \"" + *value + "\"");
    return false;
  }
  out = number;
  return true;
}

bool MapReader::Duration(const std::string& key, Millis& out, bool required) {
  if (MissingRequired(*this, key, required)) return false;
  if (!Has(key)) return Lookup(key), true;
  auto value = ScalarString(key);
  if (!value) return false;
  auto parsed = ParseDuration(*value);
  if (!parsed) {
    Fail(key, parsed.error());
    return false;
  }
  out = *parsed;
  return true;
}

bool MapReader::Size(const std::string& key, uint64_t& out) {
  if (!Has(key)) return Lookup(key), true;
  auto value = ScalarString(key);
  if (!value) return false;
  auto parsed = ParseSize(*value);
  if (!parsed) {
    Fail(key, parsed.error());
    return false;
  }
  out = *parsed;
  return true;
}

bool MapReader::StringList(const std::string& key, std::vector<std::string>& out, bool required) {
  if (MissingRequired(*this, key, required)) return false;
  YAML::Node value = Lookup(key);
  if (!value.IsDefined()) return true;
  if (!value.IsSequence()) {
    errors_.Add(value, KeyPath(key) + ": expected a list");
    return false;
  }
  std::vector<std::string> items;
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const YAML::Node& item = value[i];
    std::string item_path = KeyPath(key) + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      errors_.Add(item, item_path + ": expected a single value");
      ok = false;
      continue;
    }
    auto expanded = ExpandEnv(item.Scalar(), env_);
    if (!expanded) {
      errors_.Add(item, item_path + ": " + expanded.error());
      ok = false;
      continue;
    }
    items.push_back(std::move(expanded).value());
  }
  if (ok) out = std::move(items);
  return ok;
}

bool MapReader::StringMap(const std::string& key, std::map<std::string, std::string>& out) {
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) return true;
  if (!value.IsMap()) {
    errors_.Add(value, KeyPath(key) + ": expected a mapping");
    return false;
  }
  std::map<std::string, std::string> items;
  bool ok = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string name = it->first.Scalar();
    std::string item_path = KeyPath(key) + "." + name;
    if (!it->second.IsScalar()) {
      errors_.Add(it->second, item_path + ": expected a single value");
      ok = false;
      continue;
    }
    auto expanded = ExpandEnv(it->second.Scalar(), env_);
    if (!expanded) {
      errors_.Add(it->second, item_path + ": " + expanded.error());
      ok = false;
      continue;
    }
    items[name] = std::move(expanded).value();
  }
  if (ok) out = std::move(items);
  return ok;
}

bool MapReader::SecretValue(const std::string& key, Secret& out, bool required) {
  const std::string file_key = key + "_file";
  bool inline_set = Has(key);
  bool file_set = Has(file_key);
  Lookup(key);
  Lookup(file_key);
  if (inline_set && file_set) {
    Fail(file_key, "set only one of " + key + " and " + file_key);
    return false;
  }
  if (!inline_set && !file_set) {
    if (required) {
      errors_.Add(node_, KeyPath(key) + ": missing required key (or " + file_key + ")");
      return false;
    }
    return true;
  }
  if (inline_set) {
    auto value = ScalarString(key);
    if (!value) return false;
    out = Secret(std::move(*value));
    return true;
  }
  auto path = ScalarString(file_key);
  if (!path) return false;
  auto content = env_.ReadFile(*path, kSecretFileLimit);
  if (!content) {
    Fail(file_key, "cannot read \"" + *path + "\": " + content.error());
    return false;
  }
  std::string text = std::move(content).value();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) {
    Fail(file_key, "file \"" + *path + "\" is empty");
    return false;
  }
  out = Secret(std::move(text));
  return true;
}

void MapReader::Finish() {
  if (!is_map_ || !node_.IsMap()) return;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    if (!known_.count(key)) {
      std::vector<std::string> names(known_.begin(), known_.end());
      std::string hint;
      for (const auto& n : names) hint += (hint.empty() ? "" : ", ") + n;
      errors_.Add(it->first, (path_.empty() ? std::string("top level") : path_) +
                                 ": unknown key \"" + key + "\"" +
                                 (hint.empty() ? "" : " (known keys: " + hint + ")"));
    }
  }
}

YAML::Mark MarkInside(const YAML::Node& scalar, size_t offset) {
  YAML::Mark mark = scalar.Mark();
  bool quoted = scalar.Tag() == "!";
  mark.column += int(offset) + (quoted ? 1 : 0);
  mark.pos += int(offset) + (quoted ? 1 : 0);
  return mark;
}

}  // namespace opswatch
