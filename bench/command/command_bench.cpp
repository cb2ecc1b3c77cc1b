// Per-run cost of the command collector's process handling: fork, exec, read stdout and stderr,
// reap, and parse the output as Nagios plugin output, N times in a row (bench/command/run.sh
// compares it with a shell loop running the same command).
//   command_bench RUNS PROGRAM [ARGS...]   prints the mean seconds per run
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "collectors/command/command_perfdata.hpp"
#include "collectors/process_runner.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: command_bench RUNS PROGRAM [ARGS...]\n");
    return 2;
  }
  const int runs = std::atoi(argv[1]);
  opswatch::ProcessSpec spec;
  spec.argv.assign(argv + 2, argv + argc);
  const char* path = std::getenv("PATH");
  spec.env = {std::string("PATH=") + (path ? path : "/usr/bin:/bin")};
  spec.timeout = std::chrono::seconds(10);
  opswatch::PosixProcessRunner runner;
  size_t data = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) {
    opswatch::ProcessOutcome outcome = runner.Run(spec);
    if (!outcome.exited) {
      std::fprintf(stderr, "run %d did not exit normally: %s\n", i, outcome.start_error.c_str());
      return 1;
    }
    data += opswatch::ParseNagiosOutput(outcome.stdout_text).perfdata.size();
  }
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("%.9f %zu\n", elapsed.count() / runs, data);
  return 0;
}
