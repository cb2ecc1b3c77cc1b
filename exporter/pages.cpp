#include "exporter/pages.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/json_dump.hpp"
#include "core/time_format.hpp"

namespace opswatch {

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

HealthReport RenderHealth(const Snapshot& snapshot, const HealthFacts& facts) {
  nlohmann::ordered_json j;
  bool ok = facts.alerting.ok && facts.state_dir_problem.empty() &&
            (!facts.web_config || facts.web_config->ok);
  nlohmann::ordered_json collectors = nlohmann::ordered_json::object();
  for (const auto& c : snapshot.collectors) {
    bool collector_ok = c.has_run && c.ok;
    ok = ok && collector_ok;
    nlohmann::ordered_json entry;
    entry["ok"] = collector_ok;
    entry["lastError"] = c.last_error;
    entry["lastRunAt"] = c.has_run ? nlohmann::ordered_json(FormatRfc3339Millis(c.last_run_at))
                                   : nlohmann::ordered_json(nullptr);
    entry["durationSeconds"] = c.duration_seconds;
    collectors[c.name] = std::move(entry);
  }
  j["ok"] = ok;
  j["version"] = facts.version;
  j["uptimeSeconds"] = facts.uptime_seconds;
  j["collectors"] = std::move(collectors);
  j["alerting"] = {{"ok", facts.alerting.ok},
                   {"lastError", facts.alerting.last_error},
                   {"queued", facts.alerting.queued}};
  j["storage"] = {{"ok", facts.state_dir_problem.empty()},
                  {"lastError", facts.state_dir_problem},
                  {"stateDirFreeBytes", facts.state_dir_free_bytes < 0
                                            ? nlohmann::ordered_json(nullptr)
                                            : nlohmann::ordered_json(facts.state_dir_free_bytes)}};
  if (facts.web_config) {
    j["webConfig"] = {{"ok", facts.web_config->ok},
                      {"file", facts.web_config->file},
                      {"lastError", facts.web_config->last_error}};
  }
  return HealthReport{ok, DumpJson(j)};
}

std::string RenderStatusPage(const Snapshot& snapshot, const HealthFacts& facts) {
  std::string html =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>opswatch</title>"
      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
      "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.bad{color:#b00}"
      ".good{color:#070}</style></head><body><h1>opswatch</h1><p>version " +
      HtmlEscape(facts.version) +
      " &middot; <a href=\"/metrics\">metrics</a> &middot; <a href=\"/health\">health</a> "
      "&middot; <a href=\"/api/v1/alerts\">alerts</a> &middot; <a href=\"/api/v1/rules\">rules"
      "</a></p><h2>Collectors</h2><table><tr><th>name</th><th>type</th><th>state</th>"
      "<th>last run</th><th>duration</th><th>last error</th></tr>";
  for (const auto& c : snapshot.collectors) {
    bool ok = c.has_run && c.ok;
    html += "<tr><td>" + HtmlEscape(c.name) + "</td><td>" + HtmlEscape(c.type) +
            "</td><td class=\"" + (ok ? "good\">up" : "bad\">down") + "</td><td>" +
            (c.has_run ? FormatRfc3339Millis(c.last_run_at) : "never") + "</td><td>" +
            std::to_string(c.duration_seconds) + "s</td><td>" + HtmlEscape(c.last_error) +
            "</td></tr>";
  }
  html +=
      "</table><h2>Active alerts</h2><table><tr><th>alert</th><th>state</th><th>active since"
      "</th><th>value</th></tr>";
  for (const auto& a : facts.alerts) {
    html += "<tr><td>" + HtmlEscape(a.labels) + "</td><td class=\"" +
            (a.state == "firing" ? "bad" : "") + "\">" + a.state + "</td><td>" + a.active_since +
            "</td><td>" + std::to_string(a.value) + "</td></tr>";
  }
  if (facts.alerts.empty()) html += "<tr><td colspan=\"4\">none</td></tr>";
  html +=
      "</table><h2>Alerting</h2><p>queued notifications: " + std::to_string(facts.alerting.queued) +
      (facts.alerting.last_error.empty() ? std::string()
                                         : "; last error: <span class=\"bad\">" +
                                               HtmlEscape(facts.alerting.last_error) + "</span>") +
      "</p>" +
      (facts.state_dir_problem.empty() ? std::string()
                                       : "<p>storage: <span class=\"bad\">" +
                                             HtmlEscape(facts.state_dir_problem) + "</span></p>") +
      "</body></html>\n";
  return html;
}

}  // namespace opswatch
