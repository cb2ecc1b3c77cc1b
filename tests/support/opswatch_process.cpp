#include "tests/support/opswatch_process.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace opswatch::testing {

OpswatchProcess::OpswatchProcess(const std::string& config_path,
                                 const std::vector<std::string>& extra_args,
                                 const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {OPSWATCH_BINARY, "--config.file=" + config_path,
                                   "--web.listen-address=127.0.0.1:0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, env);
  port_ = WaitForListenPort(*process_, std::chrono::seconds(20));
  if (port_ == 0) {
    throw std::runtime_error("opswatch did not start listening; stderr:\n" + process_->Stderr());
  }
}

std::string OpswatchProcess::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

HttpResponse OpswatchProcess::Get(const std::string& path) const { return HttpGet(Url(path)); }

bool OpswatchProcess::WaitForStatus(const std::string& path, long status,
                                    std::chrono::milliseconds timeout) const {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (Get(path).status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool OpswatchProcess::WaitForMetric(const std::string& needle,
                                    std::chrono::milliseconds timeout) const {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (Get("/metrics").body.find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

double MetricValue(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nan("");
}

}  // namespace opswatch::testing
