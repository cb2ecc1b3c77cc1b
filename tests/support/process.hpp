// Child processes for integration tests: run a command to completion, or start a long-running
// one (the opswatch binary, a server) and stop it. Output goes to files so a chatty child never
// blocks on a full pipe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace opswatch::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (PATH lookup) and waits up to `timeout`; kills it past that (exit_code -1).
CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60),
                         const std::map<std::string, std::string>& extra_env = {});
// Runs a shell command line (/bin/sh -c).
CommandResult RunShell(const std::string& command,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60));

class Process {
 public:
  Process(const std::vector<std::string>& argv,
          const std::map<std::string, std::string>& extra_env = {});
  ~Process();  // SIGKILLs the child if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  void Signal(int sig);
  // Waits for exit up to `timeout`; nullopt when still running. Exit code, or -signal.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  std::string Stdout() const;
  std::string Stderr() const;
  // Polls stderr+stdout until `needle` appears (true) or `timeout` passes / the child exits.
  bool WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string out_path_;
  std::string err_path_;
};

// A free loopback TCP port for a child to listen on, for children that cannot take port 0 and
// report it: a random port below the kernel's ephemeral range that binds right now, so no
// outgoing connection can take it before the child binds it.
int FreeLoopbackPort();

// A memory figure of a running process from /proc/<pid>/status in KiB ("VmRSS" now, "VmHWM" its
// peak), or -1 when the process or the field is gone.
long ProcessMemoryKiB(pid_t pid, const std::string& field);

// The port opswatch logged for `--web.listen-address=127.0.0.1:0` (its "listening" line), or 0.
int WaitForListenPort(Process& process, std::chrono::milliseconds timeout);

}  // namespace opswatch::testing
