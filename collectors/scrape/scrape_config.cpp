#include "collectors/scrape/scrape_config.hpp"

#include <map>
#include <memory>
#include <set>

#include "collectors/collector_services.hpp"
#include "collectors/scrape/scrape_collector.hpp"
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
  int64_t sample_limit = 0;
  if (reader.Int("sample_limit", sample_limit)) {
    if (sample_limit < 0) {
      reader.Fail("sample_limit", "must not be negative (0: no limit)");
      ok = false;
    }
    config.sample_limit = uint64_t(std::max<int64_t>(sample_limit, 0));
  } else {
    ok = false;
  }
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
  parsed.create = [config = *config](CollectorServices& services) -> std::unique_ptr<Collector> {
    return std::make_unique<ScrapeCollector>(config, services.http_loop(), services.clock(),
                                             services.logger());
  };
  return parsed;
}

}  // namespace opswatch
