// opswatch: entry point. Parses flags, sets up logging and signals, and hands over to App.
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "core/clock.hpp"
#include "core/unique_fd.hpp"
#include "exporter/app.hpp"
#include "exporter/flags.hpp"
#include "exporter/log.hpp"
#include "exporter/web_config_watcher.hpp"

namespace {

int CheckConfig(const opswatch::Flags& flags) {
  opswatch::CollectorRegistry registry;
  opswatch::RegisterBuiltinCollectors(registry);
  opswatch::OsConfigEnv env;
  opswatch::ConfigLoad load = opswatch::LoadConfigFile(flags.config_file, registry, env);
  if (!load.ok()) {
    std::cerr << load.ErrorText();
    return 1;
  }
  std::cout << flags.config_file << ": OK (" << load.config.collectors.size() << " collectors)\n";
  if (!flags.web_config_file.empty()) {
    // Loaded as at start, certificates included, but applied to nothing.
    opswatch::RealClock clock;
    opswatch::NullLogger logger;
    opswatch::WebGuard guard({}, clock, logger);
    opswatch::WebConfigWatcher web(flags.web_config_file, env, guard, logger);
    opswatch::Status loaded = web.Load();
    if (!loaded.ok()) {
      std::cerr << loaded.message();
      return 1;
    }
    std::cout << flags.web_config_file << ": OK\n";
  }
  return 0;
}

// The main thread owns the App: it takes the signals (through a signalfd, so no handler runs in
// signal context) and the reloads asked for over HTTP, and runs every reload itself, with the
// process's full stack. Returns when SIGTERM or SIGINT arrives.
void ServeUntilStopped(opswatch::App& app, const sigset_t& signals, opswatch::Logger& logger) {
  opswatch::UniqueFd signal_fd(signalfd(-1, &signals, SFD_CLOEXEC));
  while (true) {
    pollfd fds[2] = {{signal_fd.get(), POLLIN, 0}, {app.reload_wake_fd(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      logger.Error("cannot wait for signals; stopping", {{"errno", errno}});
      return;
    }
    if (fds[1].revents & POLLIN) app.RunPendingReloads();
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo info{};
    if (read(signal_fd.get(), &info, sizeof info) != sizeof info) continue;
    if (info.ssi_signo == SIGHUP) {
      app.Reload();
      continue;
    }
    logger.Info("shutting down", {{"signal", info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
    return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Large buffers (API replies of tens of MB, big config files) come from mmap and go back to
  // the system when freed. By default glibc raises this threshold after the first such free, up
  // to 32 MB, and later buffers of that size stay in the malloc arena of the server thread that
  // built them: with 100,000 rules each /api/v1/rules call on a new worker kept ~50 MB.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto flags = opswatch::ParseFlags(args);
  if (!flags) {
    std::cerr << "opswatch: " << flags.error() << "\n\n" << opswatch::UsageText();
    return 2;
  }
  if (flags->help) {
    std::cout << opswatch::UsageText();
    return 0;
  }
  if (flags->version) {
    std::cout << opswatch::VersionString() << "\n";
    return 0;
  }
  auto level = opswatch::ParseLogLevel(flags->log_level);
  auto format = opswatch::ParseLogFormat(flags->log_format);
  if (!level || !format) {
    std::cerr << "opswatch: " << (!level ? level.error() : format.error()) << "\n";
    return 2;
  }
  if (flags->config_check) return CheckConfig(*flags);

  opswatch::RealClock clock;
  opswatch::StreamLogger logger(std::cerr, *level, *format, clock);

  // Block the signals we handle in every thread (threads inherit the mask), then wait for them
  // synchronously on the main thread (ServeUntilStopped): no async-signal-safety concerns.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  opswatch::App app(
      {flags->config_file, flags->listen_address, flags->web_config_file, flags->enable_lifecycle},
      clock, logger);
  if (flags->once) return app.RunOnce(std::cout, std::cerr);
  if (flags->print_rules) return app.PrintRules(std::cout, std::cerr);

  logger.Info("starting opswatch", {{"version", opswatch::VersionString()}});
  opswatch::Status started = app.Start();
  if (!started.ok()) {
    // Config errors are printed as plain file:line:col lines too, so editors and people can read
    // them; the log line keeps them for log pipelines.
    std::cerr << started.message();
    if (!started.message().empty() && started.message().back() != '\n') std::cerr << "\n";
    logger.Error("cannot start", {{"err", started.message()}});
    return 1;
  }
  ServeUntilStopped(app, signals, logger);
  app.Stop();
  logger.Info("stopped");
  return 0;
}
