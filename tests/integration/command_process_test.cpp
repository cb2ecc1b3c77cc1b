// Real processes through PosixProcessRunner and the command collector: the Nagios plugins of
// Debian's monitoring-plugins-basic, and scripts written here that misbehave on purpose (fork a
// grandchild and hang, flood stdout, close stdout early, die by a signal, ignore SIGTERM, print
// good and malformed JSON and exposition text). Nothing here sleeps to guess: each test waits for
// the state it needs (a run returning, a process leaving /proc).
#define BOOST_TEST_MODULE command_process
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "collectors/command/command_collector.hpp"
#include "collectors/process_runner.hpp"
#include "collectors/process_slots.hpp"
#include "core/clock.hpp"
#include "tests/support/env.hpp"
#include "tests/support/metric_lookup.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch;
using opswatch::testing::SeriesValue;
namespace fs = std::filesystem;

namespace {

const std::string kPlugins = "/usr/lib/nagios/plugins/";

struct ProcStat {
  pid_t pid = 0;
  char state = '?';
  pid_t ppid = 0;
  pid_t pgrp = 0;
};

// Every process in /proc (those that vanish while we read are skipped).
std::vector<ProcStat> AllProcesses() {
  std::vector<ProcStat> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    ProcStat stat;
    stat.pid = std::stoi(name);
    rest >> stat.state >> stat.ppid >> stat.pgrp;
    out.push_back(stat);
  }
  return out;
}

// Live (not zombie) members of process group `group`.
size_t LiveInGroup(pid_t group) {
  size_t n = 0;
  for (const ProcStat& p : AllProcesses()) n += p.pgrp == group && p.state != 'Z';
  return n;
}

// Waits until no live process is left in `group`: SIGKILL is delivered asynchronously, so a
// killed process may still be on its way out when Run returns. Bounded at 5 s.
bool GroupGone(pid_t group) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (LiveInGroup(group) != 0) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

size_t OurZombies() {
  size_t n = 0;
  for (const ProcStat& p : AllProcesses()) n += p.ppid == getpid() && p.state == 'Z';
  return n;
}

size_t OpenFds() {
  return size_t(std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator()));
}

long PeakRssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

struct Scripts {
  testing::TempDir dir;
  std::string Write(const std::string& name, const std::string& body) {
    std::string path = dir.Write(name, "#!/bin/sh\n" + body);
    chmod(path.c_str(), 0755);
    return path;
  }
};

ProcessSpec Spec(std::vector<std::string> argv, Millis timeout = Millis(10000)) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.timeout = timeout;
  spec.kill_grace = Millis(200);
  return spec;
}

CommandConfig Config(const std::string& yaml) {
  YAML::Node node = YAML::Load(yaml);
  testing::FakeConfigEnv env;
  env.vars["PATH"] = "/usr/bin:/bin";
  ConfigErrors errors;
  MapReader reader(node, "collectors[0]", errors, env);
  auto config = ParseCommandConfig(
      reader, CollectorIdentity{"c", "command", Millis(30000), Millis(10000), "/tmp"});
  reader.Finish();
  BOOST_REQUIRE_MESSAGE(config && errors.empty(), errors.Format("t.yml"));
  return *config;
}

struct Collecting {
  RealClock clock;
  NullLogger logger;
  std::shared_ptr<PosixProcessRunner> runner_ptr = std::make_shared<PosixProcessRunner>();
  PosixProcessRunner& runner = *runner_ptr;
  std::shared_ptr<ProcessSlots> slots = std::make_shared<ProcessSlots>(4);
  CollectResult Run(const std::string& yaml) {
    CommandCollector collector(Config(yaml), runner_ptr, slots, clock, logger);
    return collector.Collect(RunContext{clock.SteadyNow() + std::chrono::seconds(20)});
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(check_dummy_exit_codes_become_the_status) {
  Collecting c;
  for (int code : {0, 1, 2, 3}) {
    auto result = c.Run("command: [" + kPlugins + "check_dummy, '" + std::to_string(code) +
                        "', 'dummy text']\noutput: nagios\n");
    BOOST_TEST(result.status.ok());
    BOOST_TEST(*SeriesValue(result.families, "opswatch_command_status") == code);
    BOOST_TEST(*SeriesValue(result.families, "opswatch_command_exit_code") == code);
    BOOST_TEST(*SeriesValue(result.families, "opswatch_command_duration_seconds") > 0);
  }
}

BOOST_AUTO_TEST_CASE(check_disk_perfdata_is_published_in_bytes) {
  Collecting c;
  auto result =
      c.Run("command: [" + kPlugins + "check_disk, -w, '1%', -c, '0%', -p, /]\noutput: nagios\n");
  auto used = SeriesValue(result.families, "opswatch_command_perfdata", {{"label", "/"}});
  auto size = SeriesValue(result.families, "opswatch_command_perfdata_max", {{"label", "/"}});
  BOOST_REQUIRE(used);
  BOOST_REQUIRE(size);
  BOOST_TEST(*size >= *used);
  BOOST_TEST(*size > 1024.0 * 1024);  // MB scaled to bytes
  BOOST_TEST(*SeriesValue(result.families, "opswatch_command_status") <= 2);
}

BOOST_AUTO_TEST_CASE(check_procs_counts_processes) {
  Collecting c;
  auto result = c.Run("command: [" + kPlugins + "check_procs]\noutput: nagios\n");
  auto procs = SeriesValue(result.families, "opswatch_command_perfdata", {{"label", "procs"}});
  BOOST_REQUIRE(procs);
  BOOST_TEST(*procs >= 1);
  BOOST_TEST(*SeriesValue(result.families, "opswatch_command_status") == 0);
}

BOOST_AUTO_TEST_CASE(a_hanging_grandchild_is_killed_with_its_group_at_the_timeout) {
  Scripts s;
  std::string path = s.Write("hang.sh", "sleep 1000 &\nsleep 1000\n");
  PosixProcessRunner runner;
  auto started = std::chrono::steady_clock::now();
  ProcessOutcome outcome = runner.Run(Spec({path}, Millis(300)));
  BOOST_TEST(outcome.started);
  BOOST_TEST(outcome.timed_out);
  BOOST_TEST(!outcome.exited);
  BOOST_TEST(outcome.signal == SIGTERM);
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(5)));
  BOOST_TEST(GroupGone(outcome.pid));
  BOOST_TEST(OurZombies() == 0u);
}

BOOST_AUTO_TEST_CASE(a_grandchild_left_behind_after_exit_is_killed_too) {
  Scripts s;
  // The grandchild keeps stdout open: waiting for end of file alone would hang until it dies.
  std::string path = s.Write("leave.sh", "sleep 1000 &\necho bye\nexit 0\n");
  PosixProcessRunner runner;
  ProcessOutcome outcome = runner.Run(Spec({path}, Millis(20000)));
  BOOST_TEST(outcome.exited);
  BOOST_TEST(outcome.exit_code == 0);
  BOOST_TEST(!outcome.timed_out);
  BOOST_TEST(outcome.stdout_text == "bye\n");
  BOOST_TEST(outcome.duration_seconds < 5);
  BOOST_TEST(GroupGone(outcome.pid));
}

BOOST_AUTO_TEST_CASE(sigterm_ignored_means_sigkill_after_the_grace) {
  Scripts s;
  std::string path = s.Write("stubborn.sh", "trap '' TERM\nwhile :; do sleep 1; done\n");
  PosixProcessRunner runner;
  ProcessOutcome outcome = runner.Run(Spec({path}, Millis(300)));
  BOOST_TEST(outcome.timed_out);
  BOOST_TEST(outcome.signal == SIGKILL);
  BOOST_TEST(outcome.duration_seconds < 5);
  BOOST_TEST(GroupGone(outcome.pid));
}

BOOST_AUTO_TEST_CASE(a_flood_of_output_is_capped_and_drained_in_bounded_memory) {
  PosixProcessRunner runner;
  long peak_before = PeakRssKib();
  ProcessSpec spec = Spec({"head", "-c", "104857600", "/dev/zero"}, Millis(60000));
  spec.max_stdout_bytes = 1024 * 1024;
  ProcessOutcome outcome = runner.Run(spec);
  BOOST_TEST(outcome.exited);
  BOOST_TEST(outcome.exit_code == 0);  // drained to the end: it never saw a broken pipe
  BOOST_TEST(outcome.stdout_text.size() == 1024u * 1024);
  BOOST_TEST(outcome.stdout_dropped_bytes == 104857600u - 1024 * 1024);
  BOOST_TEST(PeakRssKib() - peak_before < 32 * 1024,
             "peak RSS grew by " << PeakRssKib() - peak_before << " KiB");
}

BOOST_AUTO_TEST_CASE(closing_stdout_early_is_fine) {
  Scripts s;
  std::string path = s.Write("close.sh", "echo first\nexec 1>&-\necho still-running >&2\nexit 4\n");
  PosixProcessRunner runner;
  ProcessOutcome outcome = runner.Run(Spec({path}));
  BOOST_TEST(outcome.exited);
  BOOST_TEST(outcome.exit_code == 4);
  BOOST_TEST(outcome.stdout_text == "first\n");
  BOOST_TEST(outcome.stderr_tail == "still-running\n");
}

BOOST_AUTO_TEST_CASE(death_by_signal_is_reported) {
  Scripts s;
  std::string path = s.Write("die.sh", "kill -SEGV $$\n");
  Collecting c;
  ProcessOutcome outcome = c.runner.Run(Spec({path}));
  BOOST_TEST(!outcome.exited);
  BOOST_TEST(outcome.signal == SIGSEGV);
  auto result = c.Run("command: [" + path + "]\n");
  BOOST_TEST(*SeriesValue(result.families, "opswatch_command_exit_code") == 128 + SIGSEGV);
  BOOST_TEST(*SeriesValue(result.families, "opswatch_command_status") == 2);
}

BOOST_AUTO_TEST_CASE(json_output_good_and_malformed) {
  Scripts s;
  std::string good = s.Write("good.sh", "printf '{\"orphaned\": 0, \"archives_checked\": 12}'\n");
  std::string bad = s.Write("bad.sh", "printf '{\"orphaned\": '\n");
  Collecting c;
  std::string keys = "output: json\nchecks: ['orphaned == 0']\nexport: [archives_checked]\n";
  auto ok = c.Run("command: [" + good + "]\n" + keys);
  BOOST_TEST(*SeriesValue(ok.families, "opswatch_command_status") == 0);
  BOOST_TEST(*SeriesValue(ok.families, "opswatch_command_check_ok", {{"check", "orphaned == 0"}}) ==
             1);
  BOOST_TEST(*SeriesValue(ok.families, "opswatch_command_json_value",
                          {{"field", "archives_checked"}}) == 12);
  auto broken = c.Run("command: [" + bad + "]\n" + keys);
  BOOST_TEST(*SeriesValue(broken.families, "opswatch_command_status") == 2);
  BOOST_TEST(*SeriesValue(broken.families, "opswatch_command_check_ok",
                          {{"check", "orphaned == 0"}}) == 0);
}

BOOST_AUTO_TEST_CASE(exposition_output_good_and_malformed) {
  Scripts s;
  std::string good =
      s.Write("good.sh",
              "echo '# TYPE backup_age_seconds gauge'\necho 'backup_age_seconds{db=\"a\"} 42'\n");
  std::string bad = s.Write("bad.sh", "echo 'backup_age_seconds{db=\"a\" 42'\n");
  Collecting c;
  auto ok = c.Run("command: [" + good + "]\noutput: prometheus\n");
  BOOST_TEST(*SeriesValue(ok.families, "opswatch_command_status") == 0);
  BOOST_TEST(*SeriesValue(ok.families, "backup_age_seconds", {{"db", "a"}}) == 42);
  auto broken = c.Run("command: [" + bad + "]\noutput: prometheus\n");
  BOOST_TEST(*SeriesValue(broken.families, "opswatch_command_status") == 2);
  BOOST_TEST(!SeriesValue(broken.families, "backup_age_seconds", {{"db", "a"}}));
}

BOOST_AUTO_TEST_CASE(a_thousand_runs_leave_no_zombie_and_no_descriptor) {
  PosixProcessRunner runner;
  size_t fds_before = OpenFds();
  for (int i = 0; i < 1000; ++i) {
    ProcessOutcome outcome = runner.Run(Spec({"/bin/true"}));
    BOOST_REQUIRE(outcome.exited);
  }
  BOOST_TEST(OurZombies() == 0u);
  BOOST_TEST(OpenFds() == fds_before);
}

BOOST_AUTO_TEST_CASE(the_child_gets_only_its_env_devnull_stdin_and_no_inherited_fd) {
  PosixProcessRunner runner;
  ProcessSpec env = Spec({"env"});
  env.env.push_back("API_TOKEN=abc");
  BOOST_TEST(runner.Run(env).stdout_text == "PATH=/usr/bin:/bin\nAPI_TOKEN=abc\n");
  BOOST_TEST(runner.Run(Spec({"readlink", "/proc/self/fd/0"})).stdout_text == "/dev/null\n");
  // A descriptor opened without O_CLOEXEC (as a library might) must not reach the command.
  int leaky = open("/dev/null", O_RDONLY);
  BOOST_REQUIRE(dup2(leaky, 57) == 57);
  std::string fds = runner.Run(Spec({"ls", "/proc/self/fd"})).stdout_text;
  close(57);
  close(leaky);
  BOOST_TEST(fds == "0\n1\n2\n3\n");  // 3 is ls's own directory handle
}

BOOST_AUTO_TEST_CASE(working_dir_and_user_apply) {
  Collecting c;
  ProcessSpec pwd = Spec({"pwd"});
  pwd.working_dir = "/usr/share";
  BOOST_TEST(c.runner.Run(pwd).stdout_text == "/usr/share\n");
  if (geteuid() == 0) {
    CommandConfig config = Config("command: [id, -u]\nuser: nobody\n");
    BOOST_REQUIRE(config.credentials);
    ProcessSpec spec = BuildCommandSpec(config, Millis(5000));
    ProcessOutcome outcome = c.runner.Run(spec);
    BOOST_TEST(outcome.stdout_text == std::to_string(config.credentials->uid) + "\n");
    BOOST_TEST(config.credentials->uid != 0u);
  }
}

BOOST_AUTO_TEST_CASE(a_missing_program_does_not_start) {
  PosixProcessRunner runner;
  ProcessOutcome missing = runner.Run(Spec({"no-such-program-here"}));
  BOOST_TEST(!missing.started);
  BOOST_TEST(missing.start_error == "command[0] not found in PATH");
  Scripts s;
  std::string plain = s.Write("plain.sh", "exit 0\n");
  chmod(plain.c_str(), 0644);  // no execute bit for anyone: even root may not run it
  ProcessOutcome not_executable = runner.Run(Spec({plain}));
  BOOST_TEST(!not_executable.started);
  BOOST_TEST(not_executable.start_error == "cannot execute command[0]: Permission denied");
  BOOST_TEST(OurZombies() == 0u);
}

BOOST_AUTO_TEST_CASE(destroying_the_runner_kills_commands_still_running) {
  Scripts s;
  std::string mark = s.dir.Join("started");
  std::string path = s.Write("long.sh", "sleep 1000 &\ntouch \"$MARK\"\nsleep 1000\n");
  auto runner = std::make_unique<PosixProcessRunner>();
  ProcessSpec spec = Spec({path}, Millis(60000));
  spec.env.push_back("MARK=" + mark);
  ProcessOutcome outcome;
  std::thread run([&spec, &outcome, raw = runner.get()] { outcome = raw->Run(spec); });
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!fs::exists(mark) && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  BOOST_REQUIRE(fs::exists(mark));
  runner.reset();  // what stopping opswatch does through CollectorServices
  run.join();
  BOOST_TEST(!outcome.timed_out);
  BOOST_TEST(outcome.signal == SIGKILL);
  BOOST_TEST(GroupGone(outcome.pid));
}
