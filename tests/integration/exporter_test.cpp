// The real opswatch binary: serving, exposition validity (promtool), values against statvfs,
// readiness, reload (SIGHUP and POST, good and bad), SIGTERM, config errors and --once.
#define BOOST_TEST_MODULE exporter
#include <signal.h>
#include <sys/statvfs.h>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/opswatch_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

std::string DiskConfig(const TempDir& dir, const std::string& extra_collectors = "") {
  return "global:\n  interval: 1s\n  timeout: 500ms\n  state_dir: " + dir.Join("state") +
         "\ncollectors:\n  - name: root-disk\n    type: disk\n    paths: [/, " +
         dir.path().string() + "]\n" + extra_collectors;
}

}  // namespace

BOOST_AUTO_TEST_CASE(serves_valid_metrics_equal_to_statvfs) {
  TempDir dir;
  std::string config = dir.Write("opswatch.yml", DiskConfig(dir));
  OpswatchProcess ow(config);
  BOOST_TEST(ow.Get("/-/healthy").status == 200);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 10s));

  HttpResponse metrics = ow.Get("/metrics");
  BOOST_TEST(metrics.status == 200);
  BOOST_TEST(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8");
  std::string file = dir.Write("metrics.txt", metrics.body);
  CommandResult check = RunShell("promtool check metrics < " + file + " 2>&1");
  BOOST_TEST(check.exit_code == 0);
  BOOST_TEST(check.out == "", "promtool: " << check.out);

  struct statvfs st {};
  BOOST_REQUIRE(statvfs("/", &st) == 0);
  const double size = double(st.f_blocks) * st.f_frsize;
  const double files = double(st.f_files);
  std::string labels = "{collector=\"root-disk\",device=";
  // Find the "/" sample whatever its device/fstype labels are.
  std::istringstream lines(metrics.body);
  std::string line;
  double got_size = -1, got_files = -1, got_avail = -1;
  while (std::getline(lines, line)) {
    if (line.find("path=\"/\"}") == std::string::npos) continue;
    double v = std::stod(line.substr(line.rfind(' ') + 1));
    if (line.rfind("opswatch_disk_size_bytes{", 0) == 0) got_size = v;
    if (line.rfind("opswatch_disk_files{", 0) == 0) got_files = v;
    if (line.rfind("opswatch_disk_avail_bytes{", 0) == 0) got_avail = v;
  }
  BOOST_TEST(got_size == size);
  BOOST_TEST(got_files == files);
  const double avail = double(st.f_bavail) * st.f_frsize;
  BOOST_TEST(std::abs(got_avail - avail) < 64.0 * 1024 * 1024);  // the disk is in use meanwhile

  BOOST_TEST(MetricValue(metrics.body,
                         "opswatch_collector_up{collector=\"root-disk\",type=\"disk\"}") == 1);
  BOOST_TEST(MetricValue(metrics.body, "opswatch_config_last_reload_successful") == 1);

  HttpResponse gz = HttpGet(ow.Url("/metrics"), {{"Accept-Encoding", "gzip"}});
  BOOST_TEST(gz.headers["content-encoding"] == "gzip");
  BOOST_TEST(gz.body.find("# TYPE opswatch_disk_size_bytes gauge") != std::string::npos);

  HttpResponse health = ow.Get("/health");
  BOOST_TEST(health.status == 200);
  auto json = nlohmann::json::parse(health.body);
  BOOST_TEST(json["ok"] == true);
  BOOST_TEST(json["collectors"]["root-disk"]["ok"] == true);
  BOOST_TEST(json["collectors"]["root-disk"]["lastError"] == "");
  BOOST_TEST(json["alerting"]["queued"] == 0);
  BOOST_TEST(json.contains("uptimeSeconds"));

  BOOST_TEST(ow.Get("/").body.find("root-disk") != std::string::npos);
  BOOST_TEST(ow.Get("/nope").status == 404);
  BOOST_TEST(ow.Get("/-/reload").status == 405);
  // Without --web.enable-lifecycle (as in Prometheus) a POST is refused and nothing reloads.
  HttpResponse refused = HttpPost(ow.Url("/-/reload"), "");
  BOOST_TEST(refused.status == 403);
  BOOST_TEST(refused.body.find("--web.enable-lifecycle") != std::string::npos, refused.body);
  BOOST_TEST(ow.process().Stderr().find("reloading configuration") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(health_is_503_when_a_collector_fails) {
  TempDir dir;
  std::string config = dir.Write(
      "opswatch.yml", DiskConfig(dir,
                                 "  - name: gone\n    type: disk\n    paths: [/nonexistent-"
                                 "opswatch-path]\n"));
  OpswatchProcess ow(config);
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 10s));
  HttpResponse health = ow.Get("/health");
  BOOST_TEST(health.status == 503);
  auto json = nlohmann::json::parse(health.body);
  BOOST_TEST(json["ok"] == false);
  BOOST_TEST(json["collectors"]["gone"]["lastError"] ==
             "statvfs /nonexistent-opswatch-path: No such file or directory");
  BOOST_TEST(json["collectors"]["root-disk"]["ok"] == true);
}

BOOST_AUTO_TEST_CASE(reload_good_and_bad_configs) {
  TempDir dir;
  std::string config = dir.Write("opswatch.yml", DiskConfig(dir));
  OpswatchProcess ow(config, {"--web.enable-lifecycle"});
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 10s));

  // Good reload via SIGHUP: a new collector appears.
  dir.Write("opswatch.yml",
            DiskConfig(dir, "  - name: tmp-disk\n    type: disk\n    paths: [/tmp]\n"));
  ow.process().Signal(SIGHUP);
  BOOST_TEST(
      ow.WaitForMetric("opswatch_collector_up{collector=\"tmp-disk\",type=\"disk\"} 1", 10s));

  // Bad reload via POST: rejected whole, the old config keeps running.
  dir.Write("opswatch.yml", DiskConfig(dir,
                                       "  - name: broken\n    type: disk\n    paths: [/]\n"
                                       "    interval: 10x\n"));
  HttpResponse reload = HttpPost(ow.Url("/-/reload"), "");
  BOOST_TEST(reload.status == 500);
  BOOST_TEST(reload.body.find("opswatch.yml:12:15: collectors[1].interval: invalid duration "
                              "\"10x\"") != std::string::npos,
             reload.body);
  std::string metrics = ow.Get("/metrics").body;
  BOOST_TEST(MetricValue(metrics, "opswatch_config_last_reload_successful") == 0);
  BOOST_TEST(metrics.find("collector=\"tmp-disk\"") != std::string::npos);
  BOOST_TEST(metrics.find("collector=\"broken\"") == std::string::npos);
  BOOST_TEST(ow.process().Stderr().find("configuration reload failed") != std::string::npos);

  // Fixed again: POST succeeds.
  dir.Write("opswatch.yml", DiskConfig(dir));
  BOOST_TEST(HttpPost(ow.Url("/-/reload"), "").status == 200);
  BOOST_TEST(MetricValue(ow.Get("/metrics").body, "opswatch_config_last_reload_successful") == 1);
}

BOOST_AUTO_TEST_CASE(sigterm_exits_zero_within_five_seconds) {
  TempDir dir;
  OpswatchProcess ow(dir.Write("opswatch.yml", DiskConfig(dir)));
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 10s));
  auto start = std::chrono::steady_clock::now();
  ow.process().Signal(SIGTERM);
  auto code = ow.process().Wait(5s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 0);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
}

BOOST_AUTO_TEST_CASE(config_errors_exit_nonzero_with_position) {
  TempDir dir;
  std::string config = dir.Write("bad.yml",
                                 "collectors:\n  - name: d\n    type: disk\n    paths: "
                                 "[/]\n    thresholdz: {}\n");
  CommandResult run =
      RunCommand({OPSWATCH_BINARY, "--config.file=" + config, "--web.listen-address=127.0.0.1:0"});
  BOOST_TEST(run.exit_code == 1);
  BOOST_TEST(
      run.err.find(config + ":5:5: collectors[0]: unknown key \"thresholdz\"") != std::string::npos,
      run.err);

  CommandResult check = RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + config});
  BOOST_TEST(check.exit_code == 1);
  BOOST_TEST(check.err.rfind(config + ":5:5: collectors[0]: unknown key", 0) == 0, check.err);

  std::string good = dir.Write("good.yml", DiskConfig(dir));
  CommandResult ok = RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + good});
  BOOST_TEST(ok.exit_code == 0, ok.err);

  CommandResult flag = RunCommand({OPSWATCH_BINARY, "--no-such-flag"});
  BOOST_TEST(flag.exit_code == 2);
  BOOST_TEST(flag.err.find("unknown flag \"--no-such-flag\"") != std::string::npos);
  CommandResult help = RunCommand({OPSWATCH_BINARY, "--help"});
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(help.out.find("--web.listen-address") != std::string::npos);
  CommandResult version = RunCommand({OPSWATCH_BINARY, "--version"});
  BOOST_TEST(version.out.rfind("opswatch, version ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(once_prints_the_exposition_and_exits) {
  TempDir dir;
  std::string config = dir.Write("opswatch.yml", DiskConfig(dir));
  CommandResult run = RunCommand({OPSWATCH_BINARY, "--once", "--config.file=" + config}, 30s);
  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(run.out.find("opswatch_disk_size_bytes{collector=\"root-disk\"") != std::string::npos);
  std::string file = dir.Write("once.txt", run.out);
  CommandResult check = RunShell("promtool check metrics < " + file + " 2>&1");
  BOOST_TEST(check.out == "");
}

BOOST_AUTO_TEST_CASE(json_logs_and_secrets_stay_out_of_output) {
  TempDir dir;
  std::string config =
      dir.Write("opswatch.yml",
                "global:\n  state_dir: ${STATE_DIR}\n  external_labels: {token_hint: "
                "\"${TOKEN:-none}\"}\ncollectors:\n  - name: d\n    type: disk\n    paths: "
                "[/]\n");
  OpswatchProcess ow(config, {"--log.format=json", "--log.level=debug"},
                     {{"STATE_DIR", dir.Join("state")}});
  BOOST_REQUIRE(ow.WaitForStatus("/-/ready", 200, 10s));
  std::string err = ow.process().Stderr();
  std::istringstream lines(err);
  std::string line;
  int parsed = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    BOOST_TEST(j.contains("ts"));
    BOOST_TEST(j.contains("level"));
    ++parsed;
  }
  BOOST_TEST(parsed >= 2);
}
