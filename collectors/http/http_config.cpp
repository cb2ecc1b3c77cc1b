#include "collectors/http/http_config.hpp"

#include <algorithm>
#include <memory>
#include <set>

#include "collectors/check_config.hpp"
#include "collectors/collector_services.hpp"
#include "collectors/http/http_collector.hpp"
#include "core/bounded_read.hpp"
#include "core/http_url.hpp"

namespace opswatch {
namespace {

bool ReadTargets(MapReader& reader, HttpConfig& config) {
  std::vector<std::string> urls;
  bool has_url = reader.Has("url");
  bool has_targets = reader.Has("targets");
  std::string single;
  if (!reader.String("url", single) || !reader.StringList("targets", urls)) return false;
  if (has_url == has_targets) {
    reader.Fail(has_url ? "targets" : "url", "set exactly one of url and targets");
    return false;
  }
  const std::string key = has_url ? "url" : "targets";
  if (has_url) urls = {single};
  if (urls.empty()) {
    reader.Fail(key, "must list at least one URL");
    return false;
  }
  std::set<std::string> seen;
  bool ok = true;
  for (size_t i = 0; i < urls.size(); ++i) {
    std::string where = has_url ? "" : "[" + std::to_string(i) + "]: ";
    auto label = HttpTargetLabel(urls[i]);
    if (!label) {
      reader.Fail(key, where + label.error());
      ok = false;
      continue;
    }
    if (!seen.insert(urls[i]).second) {
      reader.Fail(key, where + "duplicate target " + *label);
      ok = false;
      continue;
    }
    config.targets.push_back(HttpTarget{Secret(urls[i]), *label, label->rfind("https:", 0) == 0});
  }
  return ok;
}

// headers: {Name: "value with ${ENV}", Other: {file: /run/secrets/x, prefix: "Bearer "}}
bool ReadHeaders(MapReader& reader, HttpConfig& config) {
  YAML::Node node = reader.Child("headers");
  if (!node.IsDefined() || node.IsNull()) return true;
  if (!node.IsMap()) {
    reader.errors().Add(node, reader.KeyPath("headers") + ": expected a mapping");
    return false;
  }
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string name = it->first.Scalar();
    std::string path = reader.KeyPath("headers") + "." + name;
    bool valid_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (!valid_name) {
      reader.errors().Add(it->first, path + ": invalid header name");
      ok = false;
      continue;
    }
    std::string value;
    if (it->second.IsMap()) {
      MapReader file_reader(it->second, path, reader.errors(), reader.env());
      std::string file;
      std::string prefix;
      if (!file_reader.String("file", file, /*required=*/true) ||
          !file_reader.String("prefix", prefix)) {
        ok = false;
        file_reader.Finish();
        continue;
      }
      file_reader.Finish();
      auto content = reader.env().ReadFile(file, kSecretFileLimit);
      if (!content) {
        file_reader.Fail("file", "cannot read \"" + file + "\": " + content.error());
        ok = false;
        continue;
      }
      std::string text = std::move(content).value();
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      value = prefix + text;
    } else if (it->second.IsScalar()) {
      auto expanded = ExpandEnv(it->second.Scalar(), reader.env());
      if (!expanded) {
        reader.errors().Add(it->second, path + ": " + expanded.error());
        ok = false;
        continue;
      }
      value = std::move(expanded).value();
    } else {
      reader.errors().Add(it->second, path + ": expected a value or {file: PATH}");
      ok = false;
      continue;
    }
    // A CR or LF would let a value smuggle extra headers into the request.
    if (value.find_first_of("\r\n") != std::string::npos) {
      reader.errors().Add(it->second, path + ": value must not contain line breaks");
      ok = false;
      continue;
    }
    config.headers.push_back(HttpHeader{name, Secret(std::move(value))});
  }
  return ok;
}

bool ReadExpectStatus(MapReader& reader, HttpConfig& config) {
  YAML::Node node = reader.Child("expect_status");
  if (!node.IsDefined()) return true;
  std::string path = reader.KeyPath("expect_status");
  if (!node.IsSequence() || node.size() == 0) {
    reader.errors().Add(node, path + ": expected a non-empty list of codes (200) or classes (2xx)");
    return false;
  }
  std::vector<HttpStatusRange> ranges;
  bool ok = true;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    std::string text = item.IsScalar() ? item.Scalar() : "";
    HttpStatusRange range;
    if (text.size() == 3 && text[0] >= '1' && text[0] <= '5' && text.substr(1) == "xx") {
      range.low = (text[0] - '0') * 100;
      range.high = range.low + 99;
    } else if (text.size() == 3 && std::all_of(text.begin(), text.end(), ::isdigit) &&
               text[0] >= '1' && text[0] <= '5') {
      range.low = range.high = std::stol(text);
    } else {
      reader.errors().Add(item, path + "[" + std::to_string(i) +
                                    "]: expected a status code (100-599) or class (2xx)");
      ok = false;
      continue;
    }
    ranges.push_back(range);
  }
  if (ok) config.expect_status = std::move(ranges);
  return ok;
}

bool ReadThresholds(MapReader& reader, HttpConfig& config) {
  YAML::Node node = reader.Child("thresholds");
  MapReader thresholds(node, reader.KeyPath("thresholds"), reader.errors(), reader.env());
  Millis slow{0};
  Millis cert_expiry{Millis(int64_t(config.cert_expiry_seconds * 1000))};
  bool ok = thresholds.Duration("slow", slow) && thresholds.Duration("cert_expiry", cert_expiry);
  if (ok && thresholds.Has("slow")) {
    if (slow.count() <= 0) {
      thresholds.Fail("slow", "must be greater than 0");
      ok = false;
    }
    config.slow_seconds = ToSeconds(slow);
  }
  config.cert_expiry_seconds = ToSeconds(cert_expiry);
  thresholds.Finish();
  return ok;
}

}  // namespace

Result<std::string> HttpTargetLabel(const std::string& url) {
  auto parts = ParseHttpUrl(url);
  if (!parts) return parts.status();
  std::string label = parts->scheme + "://" + parts->host;
  if (parts->port) label += ":" + *parts->port;
  return label + parts->path;
}

bool HttpStatusExpected(const HttpConfig& config, long status) {
  return std::any_of(
      config.expect_status.begin(), config.expect_status.end(),
      [status](const HttpStatusRange& r) { return status >= r.low && status <= r.high; });
}

std::optional<HttpConfig> ParseHttpConfig(MapReader& reader, const CollectorIdentity& id) {
  HttpConfig config;
  // Nested readers (tls, thresholds, header files) report unknown keys without failing a read.
  const size_t errors_before = reader.errors().size();
  if (id.timeout.count() > 0) config.timeout = id.timeout;
  bool ok = ReadTargets(reader, config);
  if (reader.String("method", config.method)) {
    static const std::set<std::string> kMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                   "PATCH", "DELETE", "OPTIONS"};
    if (!kMethods.count(config.method)) {
      reader.Fail("method", "expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
      ok = false;
    }
  } else {
    ok = false;
  }
  ok = ReadHeaders(reader, config) && ok;
  ok = reader.String("body", config.body) && ok;
  ok = ReadExpectStatus(reader, config) && ok;
  ok = ReadChecks(reader, config.checks) && ok;
  ok = ReadJsonExports(reader, config.exports) && ok;
  if (reader.Size("body_limit", config.body_limit)) {
    if (config.body_limit == 0) {
      reader.Fail("body_limit", "must be greater than 0");
      ok = false;
    }
  } else {
    ok = false;
  }
  if (reader.Duration("timeout", config.timeout)) {
    if (config.timeout.count() <= 0) {
      reader.Fail("timeout", "must be greater than 0");
      ok = false;
    } else if (id.timeout.count() > 0 && config.timeout > id.timeout) {
      reader.Fail("timeout",
                  "must not exceed the collector's timeout (" + FormatDuration(id.timeout) + ")");
      ok = false;
    }
  } else {
    ok = false;
  }
  ok = reader.Bool("follow_redirects", config.follow_redirects) && ok;
  ok = ReadTlsClientConfig(reader, config.tls) && ok;
  ok = ReadThresholds(reader, config) && ok;
  if (!ok || reader.errors().size() != errors_before) return std::nullopt;
  return config;
}

std::optional<ParsedCollector> ParseHttpCollector(MapReader& reader, const CollectorIdentity& id) {
  auto config = ParseHttpConfig(reader, id);
  if (!config) return std::nullopt;
  ParsedCollector parsed;
  parsed.thresholds["cert_expiry"] = config->cert_expiry_seconds;
  if (config->slow_seconds) parsed.thresholds["slow"] = *config->slow_seconds;
  parsed.create = [config = *config](CollectorServices& services) -> std::unique_ptr<Collector> {
    return std::make_unique<HttpCollector>(config, services.http_loop(), services.clock(),
                                           services.logger());
  };
  return parsed;
}

}  // namespace opswatch
