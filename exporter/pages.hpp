// Renderers for /health (JSON) and the status page (HTML): pure functions of a snapshot and a few
// facts, so they are unit-testable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/snapshot.hpp"
#include "core/time_format.hpp"

namespace opswatch {

struct AlertingHealth {
  bool ok = true;
  std::string last_error;
  size_t queued = 0;
};

struct ActiveAlertView {
  std::string labels;
  std::string state;
  std::string active_since;
  double value = 0;
};

struct HealthFacts {
  std::string version;
  double uptime_seconds = 0;
  double state_dir_free_bytes = -1;  // -1: unknown
  std::string state_dir_problem;     // empty: the state dir is writable
  AlertingHealth alerting;
  std::vector<ActiveAlertView> alerts;  // for the status page
  // Set when --web.config.file is given.
  struct WebConfigView {
    bool ok = true;
    std::string file;
    std::string last_error;
  };
  std::optional<WebConfigView> web_config;
};

struct HealthReport {
  bool ok = false;
  std::string json;
};

HealthReport RenderHealth(const Snapshot& snapshot, const HealthFacts& facts);
std::string RenderStatusPage(const Snapshot& snapshot, const HealthFacts& facts);
std::string HtmlEscape(const std::string& text);

}  // namespace opswatch
