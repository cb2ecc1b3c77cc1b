// Listing cost of the backup collector: lists and summarises a directory (verify: none, so no
// file is read) and prints the mean wall time per run. Also makes the test directory.
//   listing_bench make DIR COUNT          COUNT files db_NNNNNN.dump, sizes and mtimes varied
//   listing_bench run DIR PATTERN RUNS    prints "mean_seconds files total_bytes"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "collectors/backup/backup_collector.hpp"

namespace {

int Make(const std::string& dir, int count) {
  ::mkdir(dir.c_str(), 0755);
  std::string junk(4096, 'x');
  for (int i = 0; i < count; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "/db_%06d.dump", i);
    std::string path = dir + name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return std::perror(path.c_str()), 1;
    if (::write(fd, junk.data(), size_t(i % 4096)) < 0) return std::perror("write"), 1;
    struct timespec times[2] = {{1'600'000'000 + i * 60L, 0}, {1'600'000'000 + i * 60L, 0}};
    ::futimens(fd, times);
    ::close(fd);
  }
  return 0;
}

int Run(const std::string& dir, const std::string& pattern, int runs) {
  opswatch::BackupConfig config;
  config.path = dir;
  config.pattern = pattern;
  config.verify = opswatch::BackupVerifyMode::kNone;
  auto glob = opswatch::PathGlob::Parse(pattern);
  if (!glob) return std::fprintf(stderr, "%s\n", glob.error().c_str()), 1;
  opswatch::RealClock clock;
  opswatch::NullLogger logger;
  opswatch::BackupCollector collector(config, *glob, std::make_unique<opswatch::OsBackupFs>(),
                                      clock, logger);
  double files = 0, bytes = 0, total_seconds = 0;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto result = collector.Collect({clock.SteadyNow() + std::chrono::minutes(1)});
    total_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result.status.ok())
      return std::fprintf(stderr, "%s\n", result.status.message().c_str()), 1;
    files = result.families[0].samples[0].value;
    bytes = result.families[1].samples[0].value;
  }
  std::printf("%.6f %.0f %.0f\n", total_seconds / runs, files, bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "make") return Make(argv[2], std::atoi(argv[3]));
  if (argc == 5 && std::string(argv[1]) == "run") return Run(argv[2], argv[3], std::atoi(argv[4]));
  std::fprintf(stderr, "usage: %s make DIR COUNT | run DIR PATTERN RUNS\n", argv[0]);
  return 2;
}
