// The scrape collector's config (README: `type: scrape`) and its strict parser.
// Thread-safety: value types; the parser is not thread-safe (config loading is single-threaded).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/collector.hpp"
#include "collectors/relabel.hpp"
#include "collectors/tls_client_config.hpp"
#include "core/labels.hpp"
#include "core/secret.hpp"

namespace opswatch {

struct ScrapeTarget {
  Secret url;            // as configured; may carry credentials or a token in its query string
  std::string instance;  // host:port, the port filled in from the scheme when the URL has none
  std::string log_name;  // scheme://host[:port]/path, without credentials, query or fragment
};

// As the http collector's tls block (README, "type: http"): paths read at load, so a missing file
// is a config error rather than a failing scrape.

struct ScrapeConfig {
  std::string job;
  std::vector<ScrapeTarget> targets;
  Labels labels;  // static labels, attached like job and instance
  bool honor_labels = false;
  // Sent with every request (values may hold tokens, hence Secret).
  std::vector<std::pair<std::string, Secret>> headers;
  TlsClientConfig tls;
  uint64_t sample_limit = 0;  // 0: no limit; counted after metric_relabel_configs
  uint64_t label_limit = 0;   // 0: no limit; labels per series with __name__, after relabelling
  uint64_t body_limit = 10 * 1024 * 1024;
  std::vector<RelabelRule> metric_relabel_configs;
  bool expose = false;  // re-publish the scraped series on our /metrics
  Millis timeout{10000};
};

// The registry's parser: ParseScrapeConfig plus the factory.
std::optional<ParsedCollector> ParseScrapeCollector(MapReader& reader, const CollectorIdentity& id);

// Reads the scrape-specific keys. Records problems in reader.errors(); nullopt on any.
std::optional<ScrapeConfig> ParseScrapeConfig(MapReader& reader, const CollectorIdentity& id);

// Prometheus's instance label for a target URL: host:port, with 80 or 443 when the URL names no
// port, IPv6 hosts in brackets. An error when the URL is not a valid http(s) URL.
Result<std::string> ScrapeInstance(const std::string& url);

}  // namespace opswatch
