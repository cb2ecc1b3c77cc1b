// Runs one external command to completion, hygienically (README, `type: command`): its own
// process group, stdin from /dev/null, no inherited descriptors, stdout and stderr read
// concurrently and bounded, SIGTERM to the group at the deadline and SIGKILL after a grace, the
// group killed too once the command itself exits (so a forked grandchild never outlives it), and
// the command always reaped. The seam (ProcessRunner) lets collector logic be tested with canned
// outcomes; PosixProcessRunner is the real thing.
// Thread-safety: PosixProcessRunner::Run may be called from several threads at once.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/units.hpp"

namespace opswatch {

// Who the command runs as, resolved at config load (getpwnam needs no work in the child).
struct ProcessCredentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (initgroups' list), resolved in the parent
};

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is a path or a name looked up in the PATH of `env`
  std::vector<std::string> env;   // the whole environment, "NAME=value"
  std::string working_dir;        // empty: the parent's
  std::optional<ProcessCredentials> credentials;  // set: drop to these before exec
  uint64_t max_stdout_bytes = 1024 * 1024;        // beyond this stdout is read and discarded
  Millis timeout{10000};                          // SIGTERM to the group this long after the start
  Millis kill_grace{500};                         // SIGKILL to the group this long after SIGTERM
};

struct ProcessOutcome {
  bool started = false;
  pid_t pid = -1;           // the command's process id, which is also its process group's
  std::string start_error;  // why it could not start; names no argv or env value
  bool exited = false;      // exited normally (exit_code valid)
  int exit_code = -1;
  int signal = 0;           // the signal that ended it, when not exited
  bool timed_out = false;   // the deadline passed before it exited (it was signalled)
  std::string stdout_text;  // at most max_stdout_bytes
  uint64_t stdout_dropped_bytes = 0;
  std::string stderr_tail;  // the last kStderrTailBytes of stderr
  double duration_seconds = 0;
};

// Enough for the last line of an error message.
inline constexpr size_t kStderrTailBytes = 4096;

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Never throws; blocks until the command and its group are gone or cannot be killed.
  virtual ProcessOutcome Run(const ProcessSpec& spec) = 0;
};

class PosixProcessRunner final : public ProcessRunner {
 public:
  PosixProcessRunner();
  // SIGKILLs the group of every command still running, and of every command started later, so
  // stopping opswatch leaves no process behind; a Run still in progress then reaps its command.
  void KillAll();
  ~PosixProcessRunner() override;
  PosixProcessRunner(const PosixProcessRunner&) = delete;
  PosixProcessRunner& operator=(const PosixProcessRunner&) = delete;

  ProcessOutcome Run(const ProcessSpec& spec) override;

 private:
  struct LiveGroups;  // shared with runs in flight, which may outlive the runner
  std::shared_ptr<LiveGroups> live_;
};

// The full path of `name` in the colon-separated `path_list` (an executable regular file), or
// `name` itself when it contains a slash; nullopt when not found.
std::optional<std::string> FindExecutable(const std::string& name, const std::string& path_list);

}  // namespace opswatch
