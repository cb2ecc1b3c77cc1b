#include "tests/support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace opswatch::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TempFile(const char* tag) {
  std::string pattern = std::string("/tmp/opswatch-") + tag + "-XXXXXX";
  int fd = mkstemp(pattern.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  return pattern;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_TRUNC, 0644);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    if (!env.count(key)) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::map<std::string, std::string>& extra_env) {
  Process process(argv, extra_env);
  auto code = process.Wait(timeout);
  CommandResult result;
  if (!code) {
    process.Signal(SIGKILL);
    process.Wait(std::chrono::seconds(10));
  }
  result.exit_code = code ? *code : -1;
  result.out = process.Stdout();
  result.err = process.Stderr();
  return result;
}

CommandResult RunShell(const std::string& command, std::chrono::milliseconds timeout) {
  return RunCommand({"/bin/sh", "-c", command}, timeout);
}

Process::Process(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& extra_env)
    : out_path_(TempFile("out")), err_path_(TempFile("err")) {
  pid_ = Spawn(argv, extra_env, out_path_, err_path_);
}

Process::~Process() {
  if (Running()) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(10));
  }
  unlink(out_path_.c_str());
  unlink(err_path_.c_str());
}

bool Process::Running() {
  if (exit_status_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = DecodeStatus(status);
    return false;
  }
  return r == 0;
}

void Process::Signal(int sig) {
  if (!exit_status_) kill(pid_, sig);
}

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  // Polling a child's exit is the one place tests wait on real time: the child is a real process.
  auto end = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() >= end) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_status_;
}

std::string Process::Stdout() const { return Slurp(out_path_); }
std::string Process::Stderr() const { return Slurp(err_path_); }

bool Process::WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (Stderr().find(needle) != std::string::npos || Stdout().find(needle) != std::string::npos) {
      return true;
    }
    if (!Running() || std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

namespace {

// The first port of the range the kernel hands out for port 0 and outgoing connections.
int EphemeralRangeStart() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  range >> low;
  return low;
}

bool BindsOnLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

long ProcessMemoryKiB(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

int FreeLoopbackPort() {
  // Below the ephemeral range: a port picked from it (by binding port 0) could be taken by any
  // process's next outgoing connection before the child binds it, which made a test that starts
  // six servers on such ports fail now and then under load. Below it, only another test picking
  // the same random port at the same moment can collide.
  thread_local std::mt19937 random(std::random_device{}());
  const int high = EphemeralRangeStart();
  const int low = std::max(1024, high - 16384);
  std::uniform_int_distribution<int> pick(low, high - 1);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = pick(random);
    if (BindsOnLoopback(port)) return port;
  }
  throw std::runtime_error("no free loopback port below " + std::to_string(high));
}

int WaitForListenPort(Process& process, std::chrono::milliseconds timeout) {
  if (!process.WaitForOutput("msg=listening", timeout) &&
      !process.WaitForOutput("\"msg\":\"listening\"", std::chrono::milliseconds(1))) {
    return 0;
  }
  std::smatch m;
  std::string err = process.Stderr();
  static const std::regex kPort(R"(address"?[=:]"?[0-9.]*:([0-9]+))");
  if (std::regex_search(err, m, kPort)) return std::stoi(m[1]);
  return 0;
}

}  // namespace opswatch::testing
