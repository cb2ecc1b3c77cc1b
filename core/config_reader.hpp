// Strict reading of YAML config sections (blackbox_exporter's approach: defaults first, then a
// strict read where unknown keys are errors, then cross-field checks with precise messages).
//
// Every problem is recorded with the position of the offending node, and reading goes on, so one
// run reports all problems. Messages name the key by its path, e.g.
//   collectors[2].thresholds.max_age: invalid duration "26x" (use e.g. 500ms, 30s, 5m, 26h, 7d)
// String values have ${VAR} / ${VAR:-default} replaced from the environment; `$$` is a literal `$`.
// Thread-safety: not thread-safe; used only while loading one config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.hpp"
#include "core/status.hpp"
#include "core/units.hpp"

namespace opswatch {

struct ConfigError {
  int line = 0;    // 1-based; 0 when the problem has no position
  int column = 0;  // 1-based
  std::string message;
};

class ConfigErrors {
 public:
  // Invalid UTF-8 in `message` (a key or value quoted back) is escaped as \xNN.
  void Add(const YAML::Mark& mark, std::string message);
  void Add(const YAML::Node& at, std::string message) { Add(at.Mark(), std::move(message)); }
  void AddUnpositioned(std::string message) { Add(YAML::Mark::null_mark(), std::move(message)); }
  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  const std::vector<ConfigError>& items() const { return errors_; }
  // "file:line:col: message" lines, sorted by position, one per error; past the first
  // kMaxFormattedErrors one last line says how many more there are (100,000 unknown keys must not
  // become 100,000 lines in one log entry).
  std::string Format(std::string_view file) const;
  static constexpr size_t kMaxFormattedErrors = 20;

 private:
  std::vector<ConfigError> errors_;
};

// Parses `text` as the one YAML document of a config or rule file, strictly: the text must be
// valid UTF-8 (the position of the first invalid byte is reported), a second document ("---") is
// an error, and so is a key repeated in one mapping (yaml-cpp would silently keep the first), and
// text nesting deeper than kMaxYamlDepth ("nesting deeper than 64 levels", at the line and column
// where it crosses the limit) is refused before yaml-cpp, which recurses once per level, sees it.
// Returns a null node for a file without a document (empty or only comments) and an undefined
// node when `errors` got a problem.
YAML::Node LoadYamlDocument(std::string_view text, ConfigErrors& errors);

// The OS behind config loading: environment variables and files. A seam so tests inject.
class ConfigEnv {
 public:
  virtual ~ConfigEnv() = default;
  virtual std::optional<std::string> GetEnv(const std::string& name) const = 0;
  // The content of a regular file of at most `max_bytes` (see core/bounded_read.hpp), or the
  // reason it cannot be read, without the path.
  virtual Result<std::string> ReadFile(const std::string& path, size_t max_bytes) const = 0;
};

// Replaces ${VAR} and ${VAR:-default}; an unset VAR without default is an error naming it, and so
// is a value that is not valid UTF-8 (config text becomes labels and JSON).
Result<std::string> ExpandEnv(std::string_view text, const ConfigEnv& env);

// The position `offset` bytes into a single-line scalar (past its opening quote, if any), so an
// error inside a regex or a check points at the offending character.
YAML::Mark MarkInside(const YAML::Node& scalar, size_t offset);

class MapReader {
 public:
  // `path` names this node in messages ("global", "collectors[0]"); `node` must be a map (a null
  // node reads as an empty map; anything else is an error).
  MapReader(const YAML::Node& node, std::string path, ConfigErrors& errors, const ConfigEnv& env);

  bool Has(const std::string& key) const;
  const std::string& path() const { return path_; }
  std::string KeyPath(const std::string& key) const;
  const YAML::Node& node() const { return node_; }
  ConfigErrors& errors() { return errors_; }
  const ConfigEnv& env() const { return env_; }

  // Each reader leaves `out` unchanged when the key is absent (so defaults set beforehand stay) and
  // returns true. When present but invalid it records an error and returns false. `required` makes
  // absence an error too.
  bool String(const std::string& key, std::string& out, bool required = false);
  bool Bool(const std::string& key, bool& out);
  bool Double(const std::string& key, double& out, bool required = false);
  bool Int(const std::string& key, int64_t& out);
  bool Duration(const std::string& key, Millis& out, bool required = false);
  bool Size(const std::string& key, uint64_t& out);
  // A list of strings; a single scalar is an error (say what you mean).
  bool StringList(const std::string& key, std::vector<std::string>& out, bool required = false);
  bool StringMap(const std::string& key, std::map<std::string, std::string>& out);
  // `key` inline or `key_file` naming a file whose content (trailing newline trimmed) is the
  // secret; the file must be a regular file of at most kSecretFileLimit. Both set is an error.
  // Neither set leaves `out` empty (an error when required).
  bool SecretValue(const std::string& key, Secret& out, bool required = false);

  // A nested node (marks the key as known). Undefined node when absent.
  YAML::Node Child(const std::string& key);
  // Records an error positioned at `key`'s value (or at this map when absent).
  void Fail(const std::string& key, const std::string& message);
  // Marks keys as read without reading them (for keys handled by another reader).
  void Accept(const std::string& key);

  // Reports keys that no reader asked for as unknown. Call once, after reading.
  void Finish();

 private:
  std::optional<std::string> ScalarString(const std::string& key);
  YAML::Node Lookup(const std::string& key);

  YAML::Node node_;
  std::string path_;
  ConfigErrors& errors_;
  const ConfigEnv& env_;
  std::set<std::string> known_;
  bool is_map_ = true;
};

}  // namespace opswatch
