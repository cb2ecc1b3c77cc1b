// End to end: examples/staging/run-local.sh, the staging stack as local processes, driven the way
// README.md's "Try the staging demo" walks a user through it. The script starts a real
// PostgreSQL, the pg_dump loop, the demo app, the webhook sink, Alertmanager, opswatch (the binary
// under test, passed as OPSWATCH_BIN) and Prometheus on free loopback ports in a temp work dir;
// the test runs the README's drills (stop the backup loop, make the app unhealthy, fill the disk
// threshold), waits until the alerts arrive firing at the sink both from opswatch's webhook
// receiver and through Alertmanager, heals everything, waits for the resolves, then SIGTERMs the
// script and checks that it exits 0 with every process and PostgreSQL stopped.
#define BOOST_TEST_MODULE staging_demo
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/opswatch_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

const std::string kScript = std::string(OPSWATCH_SOURCE_DIR) + "/examples/staging/run-local.sh";
const std::vector<std::string> kChildren = {"opswatch",     "prometheus", "alertmanager",
                                            "webhook-sink", "app",        "db-backup"};

bool PortOpen(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool open = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return open;
}

// A process that exists and is not a zombie (the script's children are not ours to reap).
bool ProcessRunning(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

bool Poll(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return done();
}

std::string ReadOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Whether the sink printed a notification to `path` with top-level `status` that lists `alert`
// in that status. The sink prints "<path> <status> <alertname>=<state> ..." once per request, in
// one write with the body after it.
bool SinkHas(const std::string& sink_output, const std::string& path, const std::string& status,
             const std::string& alert) {
  const std::regex summary(path + " " + status + "( [A-Za-z0-9_]+=[a-z]+)* " + alert + "=" +
                           status + "\\b");
  return std::regex_search(sink_output, summary);
}

class Demo {
 public:
  Demo() {
    // As root PostgreSQL runs as the postgres user, which must reach the work dir.
    std::filesystem::permissions(root_.path(), std::filesystem::perms::owner_all |
                                                   std::filesystem::perms::group_exec |
                                                   std::filesystem::perms::others_exec);
    dir_ = root_.Join("demo");
    std::set<int> ports;
    while (ports.size() < 6) ports.insert(FreeLoopbackPort());
    auto port = ports.begin();
    for (const char* name : {"OPSWATCH_PORT", "APP_PORT", "SINK_PORT", "PROMETHEUS_PORT",
                             "ALERTMANAGER_PORT", "PGPORT"}) {
      ports_[name] = *port++;
      env_[name] = std::to_string(ports_[name]);
    }
    env_["OPSWATCH_DEMO_DIR"] = dir_;
    env_["OPSWATCH_BIN"] = OPSWATCH_BINARY;
    // The ballast is 2 GiB: other processes writing to this filesystem during the test (builds on
    // a shared machine) neither trip the threshold early nor keep it tripped after free-disk.
    env_["DEMO_DISK_HEADROOM_MIB"] = "1024";
    script_ = std::make_unique<Process>(std::vector<std::string>{"bash", kScript}, env_);
  }

  ~Demo() {
    // A failed test still stops everything: SIGTERM is the script's own cleanup; `stop` is the
    // fallback for a script that had to be killed.
    if (!script_->Running()) return;
    script_->Signal(SIGTERM);
    if (script_->Wait(60s)) return;
    script_->Signal(SIGKILL);
    script_->Wait(10s);
    RunCommand({"bash", kScript, "stop"}, 90s, env_);
  }

  Process& script() { return *script_; }
  std::string Output() const { return script_->Stdout() + script_->Stderr(); }
  int port(const std::string& name) const { return ports_.at(name); }
  std::string Url(const std::string& name, const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port(name)) + path;
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Sink() const { return ReadOrEmpty(Path("logs/webhook-sink.log")); }
  // `run-local.sh <command>`, as the README runs it from a second terminal.
  CommandResult Run(const std::string& command) {
    return RunCommand({"bash", kScript, command}, 60s, env_);
  }

 private:
  TempDir root_;
  std::string dir_;
  std::map<std::string, int> ports_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<Process> script_;
};

// Firing or resolved at the sink both from opswatch's webhook receiver and through Alertmanager.
bool Delivered(const Demo& demo, size_t from, const std::string& status, const std::string& alert) {
  const std::string sink = demo.Sink();
  const std::string since = from < sink.size() ? sink.substr(from) : "";
  return SinkHas(since, "/opswatch", status, alert) &&
         SinkHas(since, "/alertmanager", status, alert);
}

}  // namespace

BOOST_AUTO_TEST_CASE(drills_fire_alerts_at_the_sink_and_healing_resolves_them) {
  Demo demo;
  BOOST_REQUIRE_MESSAGE(demo.script().WaitForOutput("opswatch-demo: ready", 120s), demo.Output());

  // The stack is up where the banner says, and healthy: nothing has been sent to the sink.
  BOOST_TEST(HttpGet(demo.Url("OPSWATCH_PORT", "/-/ready")).status == 200);
  const std::string metrics = HttpGet(demo.Url("OPSWATCH_PORT", "/metrics")).body;
  BOOST_TEST(MetricValue(metrics, "opswatch_pg_up{collector=\"app-db\"}") == 1, metrics);
  BOOST_TEST(MetricValue(metrics, "opswatch_pg_audit_logs_rows{collector=\"app-db\"}") == 100);
  BOOST_TEST(MetricValue(metrics, "opswatch_backup_files{collector=\"pg-backups\"}") >= 1);
  const std::string target =
      "http://127.0.0.1:" + std::to_string(demo.port("APP_PORT")) + "/health";
  BOOST_TEST(MetricValue(metrics, "opswatch_http_up{collector=\"app-health\",target=\"" + target +
                                      "\"}") == 1);
  for (const char* secret : {"database_url", "postgres_password", "webhook_url"}) {
    auto perms = std::filesystem::status(demo.Path(std::string("secrets/") + secret)).permissions();
    BOOST_TEST(
        (perms == (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)),
        secret);
  }
  BOOST_TEST(demo.Sink().find("/opswatch ") == std::string::npos, demo.Sink());
  BOOST_TEST(demo.Sink().find("/alertmanager ") == std::string::npos, demo.Sink());

  // The drills, with the README's commands.
  CommandResult backup_stop = demo.Run("backup-stop");
  BOOST_TEST(backup_stop.exit_code == 0, backup_stop.out << backup_stop.err);
  std::ofstream(demo.Path("app-unhealthy")).close();
  CommandResult fill = demo.Run("fill-disk");
  BOOST_TEST(fill.exit_code == 0, fill.out << fill.err);
  BOOST_TEST(std::filesystem::file_size(demo.Path("ballast")) == 2048u * 1024 * 1024);

  // BackupStale needs the newest dump to pass 30 s: up to about 50 s after the loop stopped.
  for (const char* alert : {"ServiceDown", "ServiceCheckFailed", "DiskSpaceLow", "BackupStale"}) {
    BOOST_TEST(Poll([&] { return Delivered(demo, 0, "firing", alert); }, 90s),
               alert << " did not arrive firing; sink output:\n"
                     << demo.Sink() << "\nscript output:\n"
                     << demo.Output());
  }
  // The script shows the sink's summaries on its own output.
  BOOST_TEST(demo.script().WaitForOutput("[sink] /opswatch firing", 10s), demo.Output());
  // Prometheus scrapes opswatch: it sees the firing alert in opswatch_alerts.
  const std::string query = demo.Url(
      "PROMETHEUS_PORT",
      "/api/v1/query?query=opswatch_alerts%7Balertname%3D%22ServiceDown%22%2Calertstate%3D%22firing"
      "%22%7D");
  BOOST_TEST(Poll(
      [&] {
        auto body = nlohmann::json::parse(HttpGet(query).body, nullptr, false);
        return body.is_object() && body["data"]["result"].size() == 1;
      },
      30s));

  // Heal everything; every alert resolves at both paths.
  const size_t healed_at = demo.Sink().size();
  CommandResult backup_start = demo.Run("backup-start");
  BOOST_TEST(backup_start.exit_code == 0, backup_start.out << backup_start.err);
  std::filesystem::remove(demo.Path("app-unhealthy"));
  CommandResult free_disk = demo.Run("free-disk");
  BOOST_TEST(free_disk.exit_code == 0, free_disk.out << free_disk.err);
  BOOST_TEST(!std::filesystem::exists(demo.Path("ballast")));
  for (const char* alert : {"ServiceDown", "ServiceCheckFailed", "DiskSpaceLow", "BackupStale"}) {
    BOOST_TEST(Poll([&] { return Delivered(demo, healed_at, "resolved", alert); }, 60s),
               alert << " did not arrive resolved; sink output:\n"
                     << demo.Sink().substr(healed_at));
  }

  // SIGTERM stops every process and PostgreSQL; the script exits 0.
  std::vector<int> pids;
  for (const auto& name : kChildren)
    pids.push_back(std::stoi(ReadOrEmpty(demo.Path(name + ".pid"))));
  pids.push_back(std::stoi(ReadOrEmpty(demo.Path("pgdata/postmaster.pid"))));
  demo.script().Signal(SIGTERM);
  std::optional<int> exit_code = demo.script().Wait(60s);
  BOOST_REQUIRE_MESSAGE(exit_code.has_value(), "run-local.sh did not stop: " << demo.Output());
  BOOST_TEST(*exit_code == 0, demo.Output());
  BOOST_TEST(demo.Output().find("opswatch-demo: stopped") != std::string::npos, demo.Output());
  // Every child stopped on SIGTERM by itself (the script reports any other exit status).
  BOOST_TEST(demo.Output().find("exited with status") == std::string::npos, demo.Output());
  for (int pid : pids) BOOST_TEST(!ProcessRunning(pid), "pid " << pid << " still runs");
  for (const char* name : {"OPSWATCH_PORT", "APP_PORT", "SINK_PORT", "PROMETHEUS_PORT",
                           "ALERTMANAGER_PORT", "PGPORT"}) {
    BOOST_TEST(!PortOpen(demo.port(name)), name << " still accepts connections");
  }
  for (const auto& name : kChildren) BOOST_TEST(!std::filesystem::exists(demo.Path(name + ".pid")));

  // The generated database password is in secrets/ only: not in any log or the script's output.
  std::string password = ReadOrEmpty(demo.Path("secrets/postgres_password"));
  while (!password.empty() && password.back() == '\n') password.pop_back();
  BOOST_REQUIRE(password.size() >= 16);
  BOOST_TEST(demo.Output().find(password) == std::string::npos);
  for (const auto& log : std::filesystem::directory_iterator(demo.Path("logs"))) {
    BOOST_TEST(ReadOrEmpty(log.path().string()).find(password) == std::string::npos, log.path());
  }
}
