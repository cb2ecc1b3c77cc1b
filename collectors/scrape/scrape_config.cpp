#include "collectors/scrape/scrape_config.hpp"

#include <map>
#include <memory>
#include <set>
#include <utility>

#include "collectors/collector_services.hpp"
#include "collectors/relabel_config.hpp"
#include "collectors/scrape/scrape_collector.hpp"
#include "collectors/scrape/scrape_rules.hpp"
#include "core/bounded_read.hpp"
#include "core/http_url.hpp"

namespace opswatch {
namespace {

bool ReadTargets(MapReader& reader, ScrapeConfig& config) {
  std::vector<std::string> urls;
  if (!reader.StringList("targets", urls, /*required=*/true)) return false;
  if (urls.empty()) {
    reader.Fail("targets", "must list at least one URL");
    return false;
  }
  std::set<std::string> instances;
  bool ok = true;
  for (size_t i = 0; i < urls.size(); ++i) {
    std::string where = "[" + std::to_string(i) + "]: ";
    auto parts = ParseHttpUrl(urls[i]);
    if (!parts) {
      reader.Fail("targets", where + parts.error());
      ok = false;
      continue;
    }
    auto instance = ScrapeInstance(urls[i]);
    if (!instance) {
      reader.Fail("targets", where + instance.error());
      ok = false;
      continue;
    }
    // Two URLs on one host:port would publish the same up{job,instance} twice.
    if (!instances.insert(*instance).second) {
      reader.Fail("targets", where + "duplicate instance " + *instance);
      ok = false;
      continue;
    }
    std::string log_name = parts->scheme + "://" + *instance + parts->path;
    config.targets.push_back(ScrapeTarget{Secret(urls[i]), *instance, std::move(log_name)});
  }
  return ok;
}

bool ReadLabels(MapReader& reader, ScrapeConfig& config) {
  std::map<std::string, std::string> labels;
  if (!reader.StringMap("labels", labels)) return false;
  bool ok = true;
  for (const auto& [name, value] : labels) {
    if (!IsValidLabelName(name) || name.starts_with("__")) {
      reader.Fail("labels", "invalid label name \"" + name + "\"");
      ok = false;
    } else if (name == "job" || name == "instance") {
      reader.Fail("labels", "\"" + name + "\" comes from " +
                                (name == "job" ? "the job key" : "the target's URL"));
      ok = false;
    } else if (value.empty()) {
      reader.Fail("labels", "label \"" + name + "\" has an empty value");
      ok = false;
    } else {
      config.labels.Set(name, value);
    }
  }
  return ok;
}

// An HTTP token: the characters RFC 9110 allows in a header name.
bool IsHeaderName(const std::string& name) {
  static const std::string kSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSymbols.find(c) != std::string::npos;
  });
}

bool ReadHeaders(MapReader& reader, ScrapeConfig& config) {
  std::map<std::string, std::string> headers;
  if (!reader.StringMap("headers", headers)) return false;
  bool ok = true;
  for (const auto& [name, value] : headers) {
    if (!IsHeaderName(name)) {
      reader.Fail("headers", "invalid header name \"" + name + "\"");
      ok = false;
    } else if (value.find_first_of("\r\n") != std::string::npos) {
      reader.Fail("headers", "the value of \"" + name + "\" must not contain a line break");
      ok = false;
    } else {
      config.headers.emplace_back(name, Secret(value));
    }
  }
  return ok;
}

// A non-negative count; 0 means no limit.
bool ReadLimit(MapReader& reader, const std::string& key, uint64_t& out) {
  int64_t value = 0;
  if (!reader.Int(key, value)) return false;
  if (value < 0) {
    reader.Fail(key, "must not be negative (0: no limit)");
    return false;
  }
  out = uint64_t(value);
  return true;
}

}  // namespace

Result<std::string> ScrapeInstance(const std::string& url) {
  auto parts = ParseHttpUrl(url);
  if (!parts) return parts.status();
  std::string port = parts->port ? *parts->port : (parts->scheme == "https" ? "443" : "80");
  return parts->host + ":" + port;
}

std::optional<ScrapeConfig> ParseScrapeConfig(MapReader& reader, const CollectorIdentity& id) {
  ScrapeConfig config;
  const size_t errors_before = reader.errors().size();
  if (id.timeout.count() > 0) config.timeout = id.timeout;
  bool ok = true;
  if (reader.String("job", config.job, /*required=*/true)) {
    if (config.job.empty()) {
      reader.Fail("job", "must not be empty");
      ok = false;
    }
  } else {
    ok = false;
  }
  ok = ReadTargets(reader, config) && ok;
  ok = ReadLabels(reader, config) && ok;
  ok = reader.Bool("honor_labels", config.honor_labels) && ok;
  ok = ReadHeaders(reader, config) && ok;
  ok = ReadTlsClientConfig(reader, config.tls) && ok;
  ok = ReadLimit(reader, "sample_limit", config.sample_limit) && ok;
  ok = ReadLimit(reader, "label_limit", config.label_limit) && ok;
  ok = ReadRelabelConfigs(reader, "metric_relabel_configs", config.metric_relabel_configs) && ok;
  ok = reader.Bool("expose", config.expose) && ok;
  if (reader.Size("body_limit", config.body_limit)) {
    if (config.body_limit == 0) {
      reader.Fail("body_limit", "must be greater than 0");
      ok = false;
    }
  } else {
    ok = false;
  }
  if (!ok || reader.errors().size() != errors_before) return std::nullopt;
  return config;
}

std::optional<ParsedCollector> ParseScrapeCollector(MapReader& reader,
                                                    const CollectorIdentity& id) {
  auto config = ParseScrapeConfig(reader, id);
  if (!config) return std::nullopt;
  ParsedCollector parsed;
  parsed.config_rules = ScrapeBuiltinRules(config->job);
  parsed.exclusive_keys.push_back({"job", config->job});
  parsed.create = [config = *config](CollectorServices& services) -> std::unique_ptr<Collector> {
    return std::make_unique<ScrapeCollector>(config, services.http_loop(), services.clock(),
                                             services.logger());
  };
  return parsed;
}

}  // namespace opswatch
