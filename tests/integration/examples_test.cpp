// The shipped examples stay valid: the staging compose file (docker-compose config), its opswatch,
// Prometheus and Alertmanager configs (opswatch --config.check, promtool, amtool), the Kubernetes
// manifests (parsed with yaml-cpp; their opswatch.yml checked by the binary) and the Grafana
// dashboard (valid JSON, every expression accepted by promtool, only metrics opswatch exposes), and
// the Scribe scrape example (opswatch --config.check, promtool check rules).
#define BOOST_TEST_MODULE examples
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/declared_families.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/opswatch_process.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

const std::string kExamples = std::string(OPSWATCH_SOURCE_DIR) + "/examples";
const std::string kStaging = kExamples + "/staging";
const std::string kKubernetes = kExamples + "/kubernetes";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Runs `opswatch --config.check` on `config_text` written into `dir` (so relative paths resolve
// there). Absolute secret paths are rewritten by the caller to files in `dir`.
CommandResult ConfigCheck(const TempDir& dir, const std::string& config_text) {
  std::string path = dir.Write("opswatch.yml", config_text);
  return RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + path}, 30s);
}

// The elements of a YAML sequence as nodes (yaml-cpp's own iterators yield proxy values).
std::vector<YAML::Node> Items(const YAML::Node& sequence) {
  std::vector<YAML::Node> items;
  for (size_t i = 0; sequence.IsSequence() && i < sequence.size(); ++i)
    items.push_back(sequence[i]);
  return items;
}

std::vector<YAML::Node> LoadAll(const std::string& path) {
  std::vector<YAML::Node> docs;
  BOOST_REQUIRE_NO_THROW(docs = YAML::LoadAllFromFile(path));
  return docs;
}

// The value of the first sample of `family` whose label set contains every one of `labels`
// (each written as name="value"), or NaN.
double SampleValue(const std::string& exposition, const std::string& family,
                   const std::vector<std::string>& labels) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(family + "{", 0) != 0) continue;
    const std::string label_set = line.substr(0, line.rfind('}') + 1);
    bool all = true;
    for (const auto& label : labels) all = all && label_set.find(label) != std::string::npos;
    if (all) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return std::nan("");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(staging)

BOOST_AUTO_TEST_CASE(compose_file_is_valid_for_docker_compose) {
  CommandResult config = RunCommand(
      {"docker-compose", "-f", kStaging + "/docker-compose.staging.yml", "config", "-q"}, 60s);
  BOOST_TEST(config.exit_code == 0, config.out << config.err);

  // The pieces the issue asks for, with secrets as compose secrets (never inline).
  YAML::Node compose = YAML::LoadFile(kStaging + "/docker-compose.staging.yml");
  for (const char* service :
       {"postgres", "db-backup", "app", "opswatch", "prometheus", "alertmanager", "webhook-sink"}) {
    BOOST_TEST(compose["services"][service].IsMap(), service);
  }
  BOOST_TEST(
      compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"].as<std::string>() ==
      "/run/secrets/postgres_password");
  BOOST_TEST(compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].IsDefined() ==
             false);
  for (const char* secret : {"postgres_password", "database_url", "webhook_url"}) {
    std::string file = compose["secrets"][secret]["file"].as<std::string>();
    BOOST_TEST(std::filesystem::exists(kStaging + "/" + file), file);
  }
  const YAML::Node backup_env = compose["services"]["db-backup"]["environment"];
  BOOST_TEST(backup_env["BACKUP_INTERVAL_SECONDS"].IsDefined());
  BOOST_TEST(backup_env["BACKUP_RETENTION_COUNT"].IsDefined());
  BOOST_TEST(Slurp(kStaging + "/db-backup.sh").find("pg_dump -Fc") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(opswatch_config_passes_config_check) {
  TempDir dir;
  // Compose mounts the secrets under /run/secrets; here they are the shipped demo files.
  std::string text =
      ReplaceAll(Slurp(kStaging + "/opswatch.yml"), "/run/secrets/", kStaging + "/secrets/");
  CommandResult check = ConfigCheck(dir, text);
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  // Every collector type the stack needs is in the file.
  for (const char* type : {"type: disk", "type: backup", "type: http", "type: postgres",
                           "type: webhook", "type: alertmanager"}) {
    BOOST_TEST(text.find(type) != std::string::npos, type);
  }
}

BOOST_AUTO_TEST_CASE(db_backup_loop_dumps_with_retention_shape) {
  // The loop script parses; and it never names the password (it comes from PGPASSWORD_FILE).
  CommandResult syntax = RunCommand({"bash", "-n", kStaging + "/db-backup.sh"}, 10s);
  BOOST_TEST(syntax.exit_code == 0, syntax.err);
  BOOST_TEST(Slurp(kStaging + "/db-backup.sh").find("staging-demo-password") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(db_backup_loop_writes_verified_dumps_and_keeps_retention) {
  // The compose stack's backup loop against a real PostgreSQL loaded with the demo schema; then
  // opswatch's backup collector verifies what it wrote.
  PostgresServer pg;
  CommandResult schema = pg.Psql(Slurp(kStaging + "/postgres-init.sql"));
  BOOST_REQUIRE_MESSAGE(schema.exit_code == 0, schema.err);
  TempDir dir;
  const std::string backups = dir.Join("backups");
  Process loop({"bash", kStaging + "/db-backup.sh"},
               {{"PGHOST", "127.0.0.1"},
                {"PGPORT", std::to_string(pg.port())},
                {"PGUSER", "postgres"},
                {"PGDATABASE", "postgres"},
                {"PATH", pg.BinDir() + ":" + std::getenv("PATH")},
                {"BACKUP_DIR", backups},
                {"BACKUP_PREFIX", "app_"},
                {"BACKUP_INTERVAL_SECONDS", "1"},
                {"BACKUP_RETENTION_COUNT", "2"}});
  // Three dumps one second apart: the third one makes retention delete the first.
  BOOST_REQUIRE_MESSAGE(loop.WaitForOutput("retention removed", 30s), loop.Stdout()
                                                                          << loop.Stderr());
  loop.Signal(SIGTERM);
  std::optional<int> stopped = loop.Wait(10s);
  BOOST_REQUIRE(stopped.has_value());
  BOOST_TEST(*stopped == 0);

  std::vector<std::string> dumps;
  for (const auto& entry : std::filesystem::directory_iterator(backups)) {
    std::string name = entry.path().filename().string();
    BOOST_TEST(name.find(".partial") == std::string::npos, name);
    if (entry.path().extension() == ".dump") dumps.push_back(name);
  }
  BOOST_TEST(dumps.size() == 2u);
  for (const auto& dump : dumps) {
    BOOST_TEST(std::filesystem::exists(backups + "/" + dump + ".sha256"), dump);
    CommandResult sum = RunShell("cd " + backups + " && sha256sum -c " + dump + ".sha256", 30s);
    BOOST_TEST(sum.exit_code == 0, sum.out << sum.err);
    CommandResult toc = RunCommand({pg.BinDir() + "/pg_restore", "-l", backups + "/" + dump}, 30s);
    BOOST_TEST(toc.out.find("TABLE DATA public audit_logs") != std::string::npos, toc.out);
  }

  // The collector verifies a dump once it has settled (5 s old, same size on two looks), so this
  // runs the server rather than --once.
  std::string config =
      dir.Write("opswatch.yml",
                "global:\n  interval: 1s\n  timeout: 500ms\n  state_dir: " + dir.Join("state") +
                    "\ncollectors:\n  - name: pg-backups\n    type: backup\n    path: " + backups +
                    "\n    pattern: \"app_*.dump\"\n    verify: newest\n");
  OpswatchProcess opswatch(config);
  const std::string sha256 =
      "opswatch_backup_newest_valid{check=\"sha256\",collector=\"pg-backups\"}";
  const std::string pg_dump =
      "opswatch_backup_newest_valid{check=\"pg_dump\",collector=\"pg-backups\"}";
  BOOST_REQUIRE_MESSAGE(opswatch.WaitForMetric(sha256, 30s), opswatch.Get("/metrics").body);
  const std::string metrics = opswatch.Get("/metrics").body;
  BOOST_TEST(MetricValue(metrics, sha256) == 1, metrics);
  BOOST_TEST(MetricValue(metrics, pg_dump) == 1, metrics);
  BOOST_TEST(MetricValue(metrics, "opswatch_backup_files{collector=\"pg-backups\"}") == 2);
}

BOOST_AUTO_TEST_CASE(demo_app_health_drives_the_staging_http_checks) {
  // The staging stack's app-health collector, exactly as configured, against the demo app.
  TempDir dir;
  const int port = FreeLoopbackPort();
  const std::string unhealthy = dir.Join("unhealthy");
  Process app({"python3", "-u", kStaging + "/demo-app/app.py"},
              {{"APP_PORT", std::to_string(port)},
               {"APP_UNHEALTHY_FILE", unhealthy},
               {"APP_DATA_DIR", dir.path().string()}});
  BOOST_REQUIRE_MESSAGE(app.WaitForOutput("demo app:", 20s), app.Stderr());

  YAML::Node staging = YAML::LoadFile(kStaging + "/opswatch.yml");
  YAML::Node health;
  for (const YAML::Node& collector : Items(staging["collectors"])) {
    if (collector["name"].as<std::string>() == "app-health") health = collector;
  }
  BOOST_REQUIRE(health.IsMap());
  const std::string target = "http://127.0.0.1:" + std::to_string(port) + "/health";
  health["url"] = target;
  YAML::Node config;
  config["global"]["interval"] = "1s";
  config["global"]["timeout"] = "500ms";
  config["global"]["state_dir"] = dir.Join("state");
  config["collectors"].push_back(health);
  YAML::Emitter out;
  out << config;
  OpswatchProcess opswatch(dir.Write("opswatch.yml", out.c_str()));

  const std::string up = "opswatch_http_up{collector=\"app-health\",target=\"" + target + "\"} 1";
  BOOST_REQUIRE_MESSAGE(opswatch.WaitForMetric(up, 20s), opswatch.Get("/metrics").body);
  std::string metrics = opswatch.Get("/metrics").body;
  BOOST_TEST(SampleValue(metrics, "opswatch_http_json_value", {"field=\"storage.logsFreeBytes\""}) >
             0);
  BOOST_TEST(SampleValue(metrics, "opswatch_http_check_ok", {"check=\"ok == true\""}) == 1);

  // The runbook drill: the app turns unhealthy and opswatch sees the failing checks.
  dir.Write("unhealthy", "");
  const std::string down = "opswatch_http_up{collector=\"app-health\",target=\"" + target + "\"} 0";
  BOOST_REQUIRE_MESSAGE(opswatch.WaitForMetric(down, 20s), opswatch.Get("/metrics").body);
  metrics = opswatch.Get("/metrics").body;
  BOOST_TEST(SampleValue(metrics, "opswatch_http_status_code", {"collector=\"app-health\""}) ==
             503);
}

BOOST_AUTO_TEST_CASE(webhook_sink_prints_what_it_receives) {
  const int port = FreeLoopbackPort();
  Process sink({"python3", "-u", kStaging + "/webhook-sink/sink.py"},
               {{"SINK_PORT", std::to_string(port)}});
  BOOST_REQUIRE_MESSAGE(sink.WaitForOutput("webhook sink:", 20s), sink.Stderr());
  HttpResponse response =
      HttpPost("http://127.0.0.1:" + std::to_string(port) + "/opswatch",
               R"({"version":"4","status":"firing","alerts":[{"status":"firing",)"
               R"("labels":{"alertname":"BackupStale"}}]})",
               {{"Content-Type", "application/json"}});
  BOOST_TEST(response.status == 200);
  BOOST_TEST(sink.WaitForOutput("/opswatch firing BackupStale=firing", 10s), sink.Stdout());
}

// The README's "type: scrape" example: the runbook's rule file as Prometheus takes it, and the
// sidecar config that runs it.
BOOST_AUTO_TEST_CASE(scribe_example_passes_config_check_and_promtool) {
  const std::string scribe = kExamples + "/scribe";
  CommandResult config = RunCommand(
      {OPSWATCH_BINARY, "--config.check", "--config.file=" + scribe + "/opswatch.yml"}, 30s);
  BOOST_TEST(config.exit_code == 0, config.out << config.err);
  CommandResult rules = RunCommand({"promtool", "check", "rules", scribe + "/rules.yml"}, 30s);
  BOOST_TEST(rules.exit_code == 0, rules.out << rules.err);
  BOOST_TEST(rules.out.find("4 rules found") != std::string::npos, rules.out);
}

BOOST_AUTO_TEST_CASE(prometheus_config_passes_promtool) {
  CommandResult check =
      RunCommand({"promtool", "check", "config", kStaging + "/prometheus.yml"}, 30s);
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  BOOST_TEST(Slurp(kStaging + "/prometheus.yml").find("opswatch:10490") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(alertmanager_config_passes_amtool) {
  CommandResult check = RunCommand({"amtool", "check-config", kStaging + "/alertmanager.yml"}, 30s);
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  BOOST_TEST(Slurp(kStaging + "/alertmanager.yml").find("webhook-sink") != std::string::npos);
}

// The local demo (run-local.sh) runs on the configs its `configs` command writes: the checked-in
// opswatch.local.yml and rules.local.yml, and the staging Prometheus and Alertmanager configs
// adapted to loopback ports. The end-to-end drills are tests/e2e/staging_demo_test.cpp.
BOOST_AUTO_TEST_CASE(local_demo_configs_pass_their_checks) {
  const std::string script = kStaging + "/run-local.sh";
  CommandResult syntax = RunCommand({"bash", "-n", script}, 10s);
  BOOST_TEST(syntax.exit_code == 0, syntax.err);

  TempDir dir;
  const std::string demo = dir.Join("demo");
  const std::map<std::string, std::string> env = {
      {"OPSWATCH_DEMO_DIR", demo}, {"OPSWATCH_PORT", "21490"},   {"APP_PORT", "21310"},
      {"SINK_PORT", "21099"},      {"PROMETHEUS_PORT", "21090"}, {"ALERTMANAGER_PORT", "21093"},
      {"PGPORT", "21433"}};
  CommandResult configs = RunCommand({"bash", script, "configs"}, 30s, env);
  BOOST_REQUIRE_MESSAGE(configs.exit_code == 0, configs.out << configs.err);

  // The copy it runs and the checked-in template (with the checked-in rule file) both load.
  for (const std::string& config : {demo + "/opswatch.yml", kStaging + "/opswatch.local.yml"}) {
    CommandResult check =
        RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + config}, 30s, env);
    BOOST_TEST(check.exit_code == 0, config << ": " << check.out << check.err);
  }
  for (const std::string& rules : {demo + "/rules.local.yml", kStaging + "/rules.local.yml"}) {
    CommandResult check = RunCommand({"promtool", "check", "rules", rules}, 30s);
    BOOST_TEST(check.exit_code == 0, check.out << check.err);
  }
  CommandResult prometheus =
      RunCommand({"promtool", "check", "config", demo + "/prometheus.yml"}, 30s);
  BOOST_TEST(prometheus.exit_code == 0, prometheus.out << prometheus.err);
  BOOST_TEST(Slurp(demo + "/prometheus.yml").find("\"127.0.0.1:21490\"") != std::string::npos);
  CommandResult alertmanager =
      RunCommand({"amtool", "check-config", demo + "/alertmanager.yml"}, 30s);
  BOOST_TEST(alertmanager.exit_code == 0, alertmanager.out << alertmanager.err);
  BOOST_TEST(Slurp(demo + "/alertmanager.yml").find("http://127.0.0.1:21099/alertmanager") !=
             std::string::npos);

  // Secrets are files only the owner reads; the configs name them, never their content.
  std::string password = Slurp(demo + "/secrets/postgres_password");
  password.erase(password.find_last_not_of('\n') + 1);
  BOOST_TEST(password.size() >= 16u);
  for (const char* secret : {"database_url", "postgres_password", "webhook_url"}) {
    auto perms = std::filesystem::status(demo + "/secrets/" + secret).permissions();
    BOOST_TEST(
        (perms == (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)),
        secret);
  }
  for (const char* config :
       {"opswatch.yml", "rules.local.yml", "prometheus.yml", "alertmanager.yml"}) {
    const std::string text = Slurp(demo + "/" + config);
    BOOST_TEST(text.find("postgresql://") == std::string::npos, config);
    BOOST_TEST(text.find(password) == std::string::npos, config);
  }

  // Same collectors and receivers as the staging stack.
  auto names = [](const YAML::Node& list) {
    std::set<std::string> out;
    for (const YAML::Node& item : Items(list))
      out.insert(item["name"].as<std::string>() + "/" + item["type"].as<std::string>());
    return out;
  };
  const YAML::Node staging = YAML::LoadFile(kStaging + "/opswatch.yml");
  const YAML::Node local = YAML::LoadFile(kStaging + "/opswatch.local.yml");
  BOOST_TEST(names(local["collectors"]) == names(staging["collectors"]));
  BOOST_TEST(names(local["alerting"]["receivers"]) == names(staging["alerting"]["receivers"]));

  // The drilled built-in rules are replaced by rules.local.yml's, which fire after seconds; the
  // disk threshold is the one run-local.sh computed (a ratio below 1, not the staging 0.1).
  CommandResult printed = RunCommand(
      {OPSWATCH_BINARY, "--print-rules", "--config.file=" + demo + "/opswatch.yml"}, 30s, env);
  BOOST_TEST(printed.exit_code == 0, printed.err);
  YAML::Node effective;
  BOOST_REQUIRE_NO_THROW(effective = YAML::Load(printed.out));
  std::map<std::string, std::vector<std::string>> fors;
  std::string disk_expr;
  for (const YAML::Node& group : Items(effective["groups"])) {
    for (const YAML::Node& rule : Items(group["rules"])) {
      if (!rule["alert"]) continue;
      const std::string name = rule["alert"].as<std::string>();
      fors[name].push_back(rule["for"] ? rule["for"].as<std::string>() : "0s");
      if (name == "DiskSpaceLow") disk_expr = rule["expr"].as<std::string>();
    }
  }
  for (const char* alert : {"ServiceDown", "ServiceCheckFailed", "BackupStale", "DiskSpaceLow"}) {
    BOOST_TEST(fors[alert] == std::vector<std::string>{"4s"}, alert);
  }
  BOOST_TEST(fors["DiskSpaceCritical"] == std::vector<std::string>{"5m"});
  std::smatch threshold;
  BOOST_REQUIRE_MESSAGE(std::regex_search(disk_expr, threshold, std::regex("< ([0-9.]+)$")),
                        disk_expr);
  const double ratio = std::stod(threshold[1]);
  BOOST_TEST(ratio > 0);
  BOOST_TEST(ratio < 1);
  BOOST_TEST(ratio != 0.1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(kubernetes)

BOOST_AUTO_TEST_CASE(deployment_runs_opswatch_as_a_probed_sidecar) {
  std::vector<YAML::Node> docs = LoadAll(kKubernetes + "/deployment.yaml");
  BOOST_REQUIRE(docs.size() == 1);
  const YAML::Node deployment = docs[0];
  BOOST_TEST(deployment["kind"].as<std::string>() == "Deployment");
  const YAML::Node pod = deployment["spec"]["template"];
  BOOST_TEST(pod["metadata"]["annotations"]["prometheus.io/scrape"].as<std::string>() == "true");
  BOOST_TEST(pod["metadata"]["annotations"]["prometheus.io/port"].as<std::string>() == "10490");

  YAML::Node opswatch, app;
  for (const YAML::Node& container : Items(pod["spec"]["containers"])) {
    if (container["name"].as<std::string>() == "opswatch") opswatch = container;
    if (container["name"].as<std::string>() == "app") app = container;
  }
  BOOST_REQUIRE(opswatch.IsMap());
  BOOST_REQUIRE(app.IsMap());
  BOOST_TEST(opswatch["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/-/healthy");
  BOOST_TEST(opswatch["readinessProbe"]["httpGet"]["path"].as<std::string>() == "/-/ready");
  BOOST_TEST(opswatch["securityContext"]["runAsNonRoot"].as<bool>());
  BOOST_TEST(opswatch["securityContext"]["runAsUser"].as<int>() == 10490);

  // Every mounted volume is declared; the backup volume is shared by both containers.
  std::set<std::string> declared;
  for (const YAML::Node& volume : Items(pod["spec"]["volumes"]))
    declared.insert(volume["name"].as<std::string>());
  auto mounts = [](const YAML::Node& container) {
    std::set<std::string> names;
    for (const YAML::Node& m : Items(container["volumeMounts"]))
      names.insert(m["name"].as<std::string>());
    return names;
  };
  for (const auto& name : mounts(opswatch)) BOOST_TEST(declared.count(name) == 1, name);
  for (const auto& name : mounts(app)) BOOST_TEST(declared.count(name) == 1, name);
  BOOST_TEST(mounts(opswatch).count("backups") == 1);
  BOOST_TEST(mounts(app).count("backups") == 1);
}

BOOST_AUTO_TEST_CASE(configmap_and_secret_fit_the_deployment) {
  const YAML::Node configmap = LoadAll(kKubernetes + "/configmap.yaml").at(0);
  const YAML::Node secret = LoadAll(kKubernetes + "/secret.yaml").at(0);
  const YAML::Node deployment = LoadAll(kKubernetes + "/deployment.yaml").at(0);
  BOOST_TEST(configmap["kind"].as<std::string>() == "ConfigMap");
  BOOST_TEST(secret["kind"].as<std::string>() == "Secret");
  std::set<std::string> referenced;
  for (const YAML::Node& volume : Items(deployment["spec"]["template"]["spec"]["volumes"])) {
    if (volume["configMap"]) referenced.insert(volume["configMap"]["name"].as<std::string>());
    if (volume["secret"]) referenced.insert(volume["secret"]["secretName"].as<std::string>());
  }
  BOOST_TEST(referenced.count(configmap["metadata"]["name"].as<std::string>()) == 1);
  BOOST_TEST(referenced.count(secret["metadata"]["name"].as<std::string>()) == 1);

  // The ConfigMap's opswatch.yml is a valid config once the Secret is where it is mounted.
  TempDir dir;
  dir.Write("secrets/database_url", secret["stringData"]["database_url"].as<std::string>());
  std::string text = configmap["data"]["opswatch.yml"].as<std::string>();
  BOOST_TEST(text.find("dsn_file: /run/secrets/opswatch/database_url") != std::string::npos);
  text = ReplaceAll(text, "/run/secrets/opswatch/", dir.Join("secrets") + "/");
  CommandResult check = ConfigCheck(dir, text);
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  // The DSN lives only in the Secret.
  BOOST_TEST(text.find("postgresql://") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(kustomization_lists_every_manifest) {
  const YAML::Node kustomization = YAML::LoadFile(kKubernetes + "/kustomization.yaml");
  std::set<std::string> listed;
  for (const YAML::Node& r : Items(kustomization["resources"])) listed.insert(r.as<std::string>());
  for (const auto& entry : std::filesystem::directory_iterator(kKubernetes)) {
    std::string name = entry.path().filename().string();
    if (name == "kustomization.yaml" || entry.path().extension() != ".yaml") continue;
    BOOST_TEST(listed.count(name) == 1, name);
    BOOST_TEST(std::filesystem::exists(kKubernetes + "/" + name));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(grafana)

BOOST_AUTO_TEST_CASE(dashboard_queries_are_valid_promql_over_opswatch_metrics) {
  nlohmann::json dashboard;
  BOOST_REQUIRE_NO_THROW(
      dashboard = nlohmann::json::parse(Slurp(kExamples + "/grafana/opswatch-dashboard.json")));
  std::vector<std::string> exprs;
  for (const auto& panel : dashboard["panels"]) {
    if (!panel.contains("targets")) continue;
    for (const auto& target : panel["targets"]) exprs.push_back(target["expr"].get<std::string>());
  }
  BOOST_REQUIRE(exprs.size() >= 20);

  // Grafana variables become what they stand for, then every expression is a recording rule.
  TempDir dir;
  std::string rules = "groups:\n  - name: dashboard\n    rules:\n";
  for (size_t i = 0; i < exprs.size(); ++i) {
    std::string expr = ReplaceAll(exprs[i], "$instance", ".*");
    BOOST_TEST(expr.find('$') == std::string::npos, expr);
    rules += "      - record: dashboard:expr_" + std::to_string(i) +
             "\n        expr: " + nlohmann::json(expr).dump() + "\n";
  }
  std::string file = dir.Write("dashboard-rules.yml", rules);
  CommandResult check = RunCommand({"promtool", "check", "rules", file}, 30s);
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  BOOST_TEST(check.out.find("SUCCESS: " + std::to_string(exprs.size()) + " rules found") !=
                 std::string::npos,
             check.out);

  // Only metrics opswatch declares (custom postgres query metrics aside), and every area the
  // dashboard is for is on it. Histograms appear with their _bucket/_sum/_count series.
  const auto declared = DeclaredFamilies();
  std::set<std::string> used;
  const std::regex metric("opswatch_[a-z0-9_]+");
  for (const auto& expr : exprs) {
    for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
      std::string name = it->str();
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        std::string s = suffix;
        if (!declared.contains(name) && name.size() > s.size() &&
            name.compare(name.size() - s.size(), s.size(), s) == 0) {
          name.resize(name.size() - s.size());
        }
      }
      used.insert(name);
      BOOST_TEST(declared.contains(name), "not an opswatch metric: " << it->str());
    }
  }
  for (const char* needed : {"opswatch_collector_up", "opswatch_backup_newest_age_seconds",
                             "opswatch_backup_newest_valid", "opswatch_disk_avail_bytes",
                             "opswatch_http_duration_seconds", "opswatch_pg_up", "opswatch_alerts",
                             "opswatch_notification_queue_length"}) {
    BOOST_TEST(used.count(needed) == 1, needed);
  }
  // The instance variable is defined from a metric opswatch always exposes.
  BOOST_TEST(dashboard["templating"]["list"][1]["query"].get<std::string>().find(
                 "opswatch_build_info") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
