// The real opswatch binary started on 127.0.0.1:0 for integration and e2e tests.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

namespace opswatch::testing {

class OpswatchProcess {
 public:
  // Starts OPSWATCH_BINARY with --config.file=config_path and --web.listen-address=127.0.0.1:0,
  // and waits for its "listening" log line. Throws std::runtime_error with its stderr on failure.
  explicit OpswatchProcess(const std::string& config_path,
                           const std::vector<std::string>& extra_args = {},
                           const std::map<std::string, std::string>& env = {});
  int port() const { return port_; }
  std::string Url(const std::string& path) const;
  HttpResponse Get(const std::string& path) const;
  // Polls `path` until it answers `status` or `timeout` passes.
  bool WaitForStatus(const std::string& path, long status, std::chrono::milliseconds timeout) const;
  // Polls /metrics until `needle` appears.
  bool WaitForMetric(const std::string& needle, std::chrono::milliseconds timeout) const;
  Process& process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
  int port_ = 0;
};

// Value of the first exposition line starting with `series` (exact name and labels), or NaN.
double MetricValue(const std::string& exposition, const std::string& series);

}  // namespace opswatch::testing
