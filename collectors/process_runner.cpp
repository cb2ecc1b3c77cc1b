#include "collectors/process_runner.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>

#include "core/unique_fd.hpp"

namespace opswatch {
namespace {

using Steady = std::chrono::steady_clock;

// Used when the command's environment has no PATH (the parent's is passed on by the collector).
constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// A descriptor at 3 or above: the child moves its pipes onto 0, 1 and 2, which must not be one of
// them already (possible when opswatch itself was started with a standard stream closed).
UniqueFd AboveStdio(UniqueFd fd) {
  if (fd.get() < 0 || fd.get() > 2) return fd;
  return UniqueFd(fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
}

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

bool MakePipe(Pipe& pipe) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  pipe.read = AboveStdio(UniqueFd(fds[0]));
  pipe.write = AboveStdio(UniqueFd(fds[1]));
  return pipe.read.get() >= 0 && pipe.write.get() >= 0;
}

// Marks every descriptor from 3 up close-on-exec: descriptors a library opened without O_CLOEXEC
// must not leak into the command. The fallback serves kernels without close_range (before 5.11).
void CloseOnExecFromThree() {
  if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  struct rlimit limit {};
  rlim_t max = 65536;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    max = std::min<rlim_t>(limit.rlim_cur, 1 << 20);
  }
  for (rlim_t fd = 3; fd < max; ++fd) fcntl(int(fd), F_SETFD, FD_CLOEXEC);
}

struct ChildSetup {
  const char* path;
  char* const* argv;
  char* const* envp;
  const char* working_dir;  // nullptr: stay
  const ProcessCredentials* credentials;
  int devnull;
  int out;
  int err;
  int report;  // close-on-exec: the child writes errno here only when it cannot exec
};

// Tells the parent why the child cannot exec (errno), and exits.
[[noreturn]] void ChildFail(int report) {
  int error = errno;
  ssize_t ignored = write(report, &error, sizeof error);
  (void)ignored;
  _exit(127);
}

// Everything between fork and exec: async-signal-safe calls only, since another thread of ours
// may have held a lock (malloc's, the logger's) when we forked.
[[noreturn]] void RunChild(const ChildSetup& setup) {
  auto fail = [&setup]() { ChildFail(setup.report); };
  setpgid(0, 0);
  // Signal state survives exec: opswatch blocks SIGHUP, SIGINT and SIGTERM in every thread, and
  // libraries ignore SIGPIPE; the command must see the defaults (or SIGTERM would not stop it).
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &default_action, nullptr);
  }
  if (dup2(setup.devnull, 0) < 0 || dup2(setup.out, 1) < 0 || dup2(setup.err, 2) < 0) fail();
  CloseOnExecFromThree();
  if (setup.credentials != nullptr) {
    const ProcessCredentials& c = *setup.credentials;
    if (setgroups(c.groups.size(), c.groups.data()) != 0 || setgid(c.gid) != 0 ||
        setuid(c.uid) != 0) {
      fail();
    }
  }
  // After dropping privileges, so a directory the user may not enter fails as it would for them.
  if (setup.working_dir != nullptr && chdir(setup.working_dir) != 0) fail();
  execve(setup.path, setup.argv, setup.envp);
  ChildFail(setup.report);
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string PathOf(const std::vector<std::string>& env) {
  for (const std::string& entry : env) {
    if (entry.rfind("PATH=", 0) == 0) return entry.substr(5);
  }
  return kDefaultPath;
}

void SignalGroup(pid_t group, int sig) {
  if (killpg(group, sig) != 0 && errno == ESRCH) kill(group, sig);  // not yet its own group
}

// Reads what is available from a non-blocking pipe; false at end of file or on an error. At most
// 1 MiB per call, so a command that writes without pause cannot keep us from its deadline.
template <class Sink>
bool Drain(int fd, Sink sink) {
  std::array<char, 65536> buffer;
  for (int reads = 0; reads < 16; ++reads) {
    ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      sink(std::string_view(buffer.data(), size_t(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  return true;
}

// True once `pid` has exited (still a zombie: its group id cannot be reused until it is reaped).
bool HasExited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

int MillisUntil(Steady::time_point at, Steady::time_point now) {
  if (at <= now) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(at - now).count();
  return int(std::min<int64_t>(ms, 60'000));
}

}  // namespace

struct PosixProcessRunner::LiveGroups {
  std::mutex mu;
  std::set<pid_t> groups;  // GUARDED_BY(mu): started and not yet reaped
  bool closed = false;     // GUARDED_BY(mu): the runner is gone; new groups are killed at once

  void Add(pid_t group) {
    std::lock_guard lock(mu);
    if (closed) {
      SignalGroup(group, SIGKILL);
      return;
    }
    groups.insert(group);
  }
  // Before reaping: once reaped, the group id may be reused by an unrelated process.
  void Remove(pid_t group) {
    std::lock_guard lock(mu);
    groups.erase(group);
  }
  void KillAll() {
    std::lock_guard lock(mu);
    closed = true;
    for (pid_t group : groups) SignalGroup(group, SIGKILL);
  }
};

PosixProcessRunner::PosixProcessRunner() : live_(std::make_shared<LiveGroups>()) {}

PosixProcessRunner::~PosixProcessRunner() { live_->KillAll(); }

void PosixProcessRunner::KillAll() { live_->KillAll(); }

std::optional<std::string> FindExecutable(const std::string& name, const std::string& path_list) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) return name;
  size_t begin = 0;
  while (begin <= path_list.size()) {
    size_t end = path_list.find(':', begin);
    if (end == std::string::npos) end = path_list.size();
    std::string dir = path_list.substr(begin, end - begin);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    begin = end + 1;
  }
  return std::nullopt;
}

ProcessOutcome PosixProcessRunner::Run(const ProcessSpec& spec) {
  ProcessOutcome outcome;
  auto fail_start = [&outcome](std::string why) {
    outcome.start_error = std::move(why);
    return outcome;
  };
  if (spec.argv.empty()) return fail_start("empty command");
  auto path = FindExecutable(spec.argv[0], PathOf(spec.env));
  if (!path) return fail_start("command[0] not found in PATH");
  std::vector<char*> argv = CStrings(spec.argv);
  std::vector<char*> envp = CStrings(spec.env);
  UniqueFd devnull = AboveStdio(UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC)));
  Pipe out;
  Pipe err;
  Pipe report;
  if (devnull.get() < 0 || !MakePipe(out) || !MakePipe(err) || !MakePipe(report)) {
    return fail_start(std::string("cannot create pipes: ") + std::strerror(errno));
  }
  ChildSetup setup{path->c_str(),
                   argv.data(),
                   envp.data(),
                   spec.working_dir.empty() ? nullptr : spec.working_dir.c_str(),
                   spec.credentials ? &*spec.credentials : nullptr,
                   devnull.get(),
                   out.write.get(),
                   err.write.get(),
                   report.write.get()};
  const auto start = Steady::now();
  pid_t pid = fork();
  if (pid < 0) return fail_start(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) RunChild(setup);
  setpgid(pid, pid);  // in the parent too, so the group exists before we may signal it
  std::shared_ptr<LiveGroups> live = live_;
  live->Add(pid);
  out.write = UniqueFd();
  err.write = UniqueFd();
  report.write = UniqueFd();
  devnull = UniqueFd();

  int status = 0;
  auto reap = [pid, &status, &live]() {
    live->Remove(pid);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  };
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(report.read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof child_errno) {
    reap();
    return fail_start(std::string("cannot execute command[0]: ") + std::strerror(child_errno));
  }
  outcome.started = true;
  outcome.pid = pid;

  fcntl(out.read.get(), F_SETFL, O_NONBLOCK);
  fcntl(err.read.get(), F_SETFL, O_NONBLOCK);
  // Readable when the child exits; without it (kernels before 5.3) we look every 10 ms.
  // (glibc 2.36's <sys/pidfd.h> lacks extern "C", so the system call is made directly.)
  UniqueFd exit_fd(int(syscall(SYS_pidfd_open, pid, 0)));
  auto on_stdout = [&outcome, &spec](std::string_view data) {
    size_t room = spec.max_stdout_bytes -
                  std::min<uint64_t>(spec.max_stdout_bytes, outcome.stdout_text.size());
    size_t kept = std::min(room, data.size());
    outcome.stdout_text.append(data.substr(0, kept));
    outcome.stdout_dropped_bytes += data.size() - kept;
  };
  auto on_stderr = [&outcome](std::string_view data) {
    outcome.stderr_tail.append(data);
    if (outcome.stderr_tail.size() > 2 * kStderrTailBytes) {
      outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - kStderrTailBytes);
    }
  };

  enum class Phase { kRunning, kTerminating, kKilled } phase = Phase::kRunning;
  const auto term_at = start + spec.timeout;
  auto kill_at = Steady::time_point::max();
  auto stop_reading_at = Steady::time_point::max();
  bool exited = false;
  bool out_open = true;
  bool err_open = true;
  while (true) {
    auto now = Steady::now();
    if (!exited && HasExited(pid)) {
      exited = true;
      // Whatever it left running in its group (a forked grandchild holding the pipes) goes too.
      SignalGroup(pid, SIGKILL);
      // A process that left the group (setsid) may still hold the pipes: stop waiting for it.
      stop_reading_at = now + spec.kill_grace;
    }
    if (exited && ((!out_open && !err_open) || now >= stop_reading_at)) break;
    if (!exited && phase == Phase::kRunning && now >= term_at) {
      SignalGroup(pid, SIGTERM);
      outcome.timed_out = true;
      phase = Phase::kTerminating;
      kill_at = now + spec.kill_grace;
    } else if (!exited && phase == Phase::kTerminating && now >= kill_at) {
      SignalGroup(pid, SIGKILL);
      phase = Phase::kKilled;
    }
    auto next = exited ? stop_reading_at : phase == Phase::kRunning ? term_at : kill_at;
    int timeout_ms = MillisUntil(next, now);
    if (!exited && exit_fd.get() < 0) timeout_ms = std::min(timeout_ms, 10);
    if (!exited && phase == Phase::kKilled) timeout_ms = exit_fd.get() < 0 ? 10 : -1;
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    int out_index = -1;
    int err_index = -1;
    if (out_open) {
      out_index = int(count);
      fds[count++] = {out.read.get(), POLLIN, 0};
    }
    if (err_open) {
      err_index = int(count);
      fds[count++] = {err.read.get(), POLLIN, 0};
    }
    if (!exited && exit_fd.get() >= 0) fds[count++] = {exit_fd.get(), POLLIN, 0};
    if (poll(fds.data(), count, timeout_ms) < 0 && errno != EINTR) break;
    if (out_index >= 0 && fds[out_index].revents != 0) {
      out_open = Drain(out.read.get(), on_stdout);
    }
    if (err_index >= 0 && fds[err_index].revents != 0) {
      err_open = Drain(err.read.get(), on_stderr);
    }
  }
  if (!exited) SignalGroup(pid, SIGKILL);  // only after poll failed: never leave it running
  reap();
  outcome.duration_seconds = std::chrono::duration<double>(Steady::now() - start).count();
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  if (outcome.stderr_tail.size() > kStderrTailBytes) {
    outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - kStderrTailBytes);
  }
  return outcome;
}

}  // namespace opswatch
