// End to end: files named by the config or found in state_dir cannot crash, hang or exhaust the
// real binary. Each case failed before the bounded reads and the UTF-8 rule: a FIFO in the outbox
// blocked start-up, an alerts.json linked to /dev/zero grew to gigabytes while SIGTERM waited,
// /dev/zero as a secret file ran --config.check to 9 GB, a Latin-1 collector name aborted the
// daemon two seconds after every start, and a read-only state_dir left /health saying ok.
#define BOOST_TEST_MODULE input_files
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/opswatch_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

// A config whose collectors and receiver never leave the machine; `extra` is appended verbatim.
std::string Config(const TempDir& dir, const std::string& state_dir,
                   const std::string& extra = "") {
  return "global:\n"
         "  interval: 1s\n"
         "  timeout: 500ms\n"
         "  evaluation_interval: 1s\n"
         "  state_dir: " +
         state_dir +
         "\n"
         "collectors:\n"
         "  - name: tmp\n"
         "    type: disk\n"
         "    paths: [" +
         dir.path().string() +
         "]\n"
         "alerting:\n"
         "  receivers:\n"
         "    - name: ops\n"
         "      type: webhook\n"
         "      url: http://127.0.0.1:9/hook\n" +
         extra;
}

// SIGTERM must end the process promptly (it was ignored while a read of /dev/zero ran).
void ExpectPromptExit(Process& process) {
  process.Signal(SIGTERM);
  auto code = process.Wait(15s);
  BOOST_TEST(code.has_value(), "opswatch did not exit within 15 s of SIGTERM");
  if (code) BOOST_TEST(*code == 0);
}

// The peak RSS (KiB) /usr/bin/time reports as "maxrss_kib=N" on stderr, or -1.
long MaxRssFromTime(const std::string& err) {
  size_t at = err.rfind("maxrss_kib=");
  return at == std::string::npos ? -1 : std::stol(err.substr(at + 11));
}

BOOST_AUTO_TEST_CASE(a_fifo_in_the_outbox_is_skipped_and_start_up_completes) {
  TempDir dir;
  std::filesystem::create_directories(dir.Join("state/notifications"));
  BOOST_REQUIRE(::mkfifo(dir.Join("state/notifications/ops-0000000000000000.json").c_str(), 0600) ==
                0);
  std::string config = dir.Write("opswatch.yml", Config(dir, dir.Join("state")));
  OpswatchProcess opswatch(config);
  BOOST_TEST(opswatch.WaitForStatus("/-/ready", 200, 20s));
  HttpResponse health = opswatch.Get("/health");
  BOOST_TEST(health.status == 200, health.error << health.body);
  BOOST_TEST(opswatch.process().WaitForOutput("is not a regular file (FIFO)", 5s));
  ExpectPromptExit(opswatch.process());
}

BOOST_AUTO_TEST_CASE(alerts_json_linked_to_dev_zero_is_refused_and_sigterm_works) {
  TempDir dir;
  std::filesystem::create_directories(dir.Join("state"));
  std::filesystem::create_symlink("/dev/zero", dir.Join("state/alerts.json"));
  std::string config = dir.Write("opswatch.yml", Config(dir, dir.Join("state")));
  OpswatchProcess opswatch(config);
  BOOST_TEST(opswatch.WaitForStatus("/-/ready", 200, 20s));
  BOOST_TEST(opswatch.process().WaitForOutput("is not a regular file (character device)", 5s));
  long rss = ProcessMemoryKiB(opswatch.process().pid(), "VmHWM");
  BOOST_TEST(rss > 0);
  BOOST_TEST(rss < 512 * 1024, "peak RSS " << rss << " KiB");
  ExpectPromptExit(opswatch.process());
}

BOOST_AUTO_TEST_CASE(dev_zero_and_directories_as_input_files_fail_the_check_fast) {
  TempDir dir;
  std::string extra =
      "    - name: dir\n"
      "      type: webhook\n"
      "      url_file: " +
      dir.path().string() +
      "\n"
      "    - name: zero\n"
      "      type: webhook\n"
      "      url_file: /dev/zero\n";
  std::string config = Config(dir, dir.Join("state"), extra);
  config.replace(config.find("alerting:"), 0,
                 "  - name: db\n"
                 "    type: postgres\n"
                 "    dsn_file: /dev/zero\n"
                 "  - name: app\n"
                 "    type: http\n"
                 "    url: http://127.0.0.1:9/health\n"
                 "    headers: {Authorization: {file: /dev/zero, prefix: 'Bearer '}}\n");
  std::string path = dir.Write("opswatch.yml", config);
  auto start = std::chrono::steady_clock::now();
  CommandResult check = RunCommand({"/usr/bin/time", "-f", "maxrss_kib=%M", OPSWATCH_BINARY,
                                    "--config.check", "--config.file=" + path},
                                   60s);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 30s));
  BOOST_TEST(check.exit_code == 1, check.err);
  const std::string zero = "cannot read \"/dev/zero\": is not a regular file (character device)";
  BOOST_TEST(check.err.find("collectors[1].dsn_file: " + zero) != std::string::npos, check.err);
  BOOST_TEST(
      check.err.find("collectors[2].headers.Authorization.file: " + zero) != std::string::npos,
      check.err);
  BOOST_TEST(check.err.find("alerting.receivers[2].url_file: " + zero) != std::string::npos,
             check.err);
  BOOST_TEST(check.err.find("alerting.receivers[1].url_file: cannot read \"" + dir.path().string() +
                            "\": is a directory") != std::string::npos,
             check.err);
  long rss = MaxRssFromTime(check.err);
  BOOST_TEST(rss > 0);
  BOOST_TEST(rss < 512 * 1024, "peak RSS " << rss << " KiB");

  for (const std::string& bad : {std::string("/dev/zero"), dir.path().string()}) {
    CommandResult config_file =
        RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + bad}, 30s);
    BOOST_TEST(config_file.exit_code == 1, config_file.err);
    BOOST_TEST(config_file.err.find(bad + ": cannot read config file: is ") == 0, config_file.err);
  }
}

BOOST_AUTO_TEST_CASE(an_empty_or_comment_only_config_is_an_error) {
  TempDir dir;
  for (const std::string& text : {std::string(""), std::string("# nothing here\n")}) {
    std::string path = dir.Write("opswatch.yml", text);
    CommandResult check = RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + path});
    BOOST_TEST(check.exit_code == 1);
    BOOST_TEST(check.err == path +
                                ": the configuration is empty (expected keys such as "
                                "\"collectors:\")\n");
  }
}

// Before: accepted by --config.check, then an abort (nlohmann type_error.316) about 2 s after
// every start, a crash loop. Now a config error with its position, from the file or from ${ENV}.
BOOST_AUTO_TEST_CASE(a_latin1_collector_name_is_a_config_error_not_an_abort) {
  TempDir dir;
  std::string latin1 = Config(dir, dir.Join("state"));
  latin1.replace(latin1.find("name: tmp"), 9, "name: caf\xE9");
  std::string path = dir.Write("latin1.yml", latin1);
  CommandResult check = RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + path});
  BOOST_TEST(check.exit_code == 1);
  BOOST_TEST(check.err == path + ":7:14: invalid UTF-8 byte \\xE9 (the file must be UTF-8 text)\n");

  Process daemon({OPSWATCH_BINARY, "--config.file=" + path, "--web.listen-address=127.0.0.1:0"});
  auto code = daemon.Wait(20s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 1, "exit " << *code << "\n" << daemon.Stderr());
  BOOST_TEST(daemon.Stderr().find("invalid UTF-8 byte \\xE9") != std::string::npos);
  BOOST_TEST(daemon.Stderr().find('\xE9') == std::string::npos, "raw byte echoed");

  std::string from_env = Config(dir, dir.Join("state"));
  from_env.replace(from_env.find("name: tmp"), 9, "name: ${COLLECTOR_NAME}");
  std::string env_path = dir.Write("env.yml", from_env);
  CommandResult env_check =
      RunCommand({OPSWATCH_BINARY, "--config.check", "--config.file=" + env_path}, 30s,
                 {{"COLLECTOR_NAME", "caf\xE9"}});
  BOOST_TEST(env_check.exit_code == 1);
  BOOST_TEST(env_check.err == env_path +
                                  ":7:11: collectors[0].name: environment variable "
                                  "\"COLLECTOR_NAME\" is not valid UTF-8\n");
}

// Alert state and the outbox cannot be written: /health must say so (503), not ok.
BOOST_AUTO_TEST_CASE(a_read_only_state_dir_makes_health_not_ok) {
  TempDir dir;
  std::string state = dir.Join("state");
  std::filesystem::create_directories(state);
  std::string config = dir.Write("opswatch.yml", Config(dir, state));
  std::vector<std::string> argv;
  if (::geteuid() == 0) {
    // Root writes through permission bits: mount a read-only tmpfs in a private mount namespace.
    argv = {"unshare", "--mount", "sh", "-c",
            "mount -t tmpfs -o ro,size=1m opswatch-test " + state + " && exec " + OPSWATCH_BINARY +
                " --config.file=" + config + " --web.listen-address=127.0.0.1:0"};
  } else {
    std::filesystem::permissions(
        state, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    argv = {OPSWATCH_BINARY, "--config.file=" + config, "--web.listen-address=127.0.0.1:0"};
  }
  Process opswatch(argv);
  int port = WaitForListenPort(opswatch, 20s);
  BOOST_REQUIRE_MESSAGE(port > 0, opswatch.Stderr());
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/health";
  HttpResponse health;
  auto end = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < end) {
    health = HttpGet(url);
    if (health.status == 503 && health.body.find("not writable") != std::string::npos) break;
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST(health.status == 503, health.body);
  BOOST_TEST(health.body.find("\"storage\":{\"ok\":false,\"lastError\":\"state_dir " + state +
                              " is not writable: ") != std::string::npos,
             health.body);
  ExpectPromptExit(opswatch);
  std::filesystem::permissions(state, std::filesystem::perms::owner_all);
}

}  // namespace
