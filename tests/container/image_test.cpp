// The container image, for real: scripts/build-image.sh builds the Dockerfile (rootful podman
// here, as on a machine without a Docker daemon), then the image runs with --network=host on a
// test config. Asserts: /metrics answers with the collector's samples, the process is not root,
// the image's HEALTHCHECK passes, SIGTERM (podman stop) exits 0 within 5 s, and the image stays
// under its size budget. Fails, never skips, when podman cannot build or run.
#define BOOST_TEST_MODULE container_image
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

const std::string kImage = "localhost/opswatch:container-test";
constexpr double kImageBudgetBytes = 110e6;  // the target (the base is about 78 MB)

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

// The work dir build-image.sh uses for podman's storage and configs; podman commands in this test
// need the same CONTAINERS_CONF / CONTAINERS_STORAGE_CONF the script wrote there.
std::string WorkDir() { return EnvOr("OPSWATCH_CTR_WORK", "/var/tmp/opswatch-ctr"); }

std::map<std::string, std::string> PodmanEnv() {
  return {{"CONTAINERS_CONF", WorkDir() + "/containers.conf"},
          {"CONTAINERS_STORAGE_CONF", WorkDir() + "/storage.conf"}};
}

CommandResult Podman(std::vector<std::string> args,
                     std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  args.insert(args.begin(), "podman");
  return RunCommand(args, timeout, PodmanEnv());
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Builds the image once per test binary run (the first build takes minutes; later ones hit the
// layer cache in the work dir). In setup(), not the constructor: Boost.Test allows assertions
// there.
struct BuiltImage {
  void setup() {
    const auto start = std::chrono::steady_clock::now();
    CommandResult build =
        RunCommand({"bash", std::string(OPSWATCH_SOURCE_DIR) + "/scripts/build-image.sh",
                    OPSWATCH_SOURCE_DIR, kImage},
                   std::chrono::minutes(40),
                   {{"OPSWATCH_IMAGE_ENGINE", "podman"},
                    {"OPSWATCH_CTR_WORK", WorkDir()},
                    {"OPSWATCH_BUILD_JOBS", EnvOr("OPSWATCH_BUILD_JOBS", "2")}});
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "image build: " << seconds << " s (exit " << build.exit_code << ")\n";
    if (build.exit_code != 0) {
      std::cout << build.out.substr(build.out.size() > 4000 ? build.out.size() - 4000 : 0) << "\n"
                << build.err.substr(build.err.size() > 4000 ? build.err.size() - 4000 : 0) << "\n";
    }
    BOOST_REQUIRE_MESSAGE(build.exit_code == 0, "scripts/build-image.sh failed");
  }
};

// A detached container removed (forcibly) when the test ends, whatever happened.
class Container {
 public:
  explicit Container(std::vector<std::string> run_args)
      : name_("opswatch-test-" + std::to_string(getpid())) {
    Podman({"rm", "-f", "-i", name_});
    std::vector<std::string> args = {"run",    "-d", "--pull=never", "--network=host",
                                     "--name", name_};
    args.insert(args.end(), run_args.begin(), run_args.end());
    CommandResult run = Podman(args, std::chrono::seconds(120));
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, "podman run failed: " << run.err);
  }
  ~Container() { Podman({"rm", "-f", "-i", name_}); }
  Container(const Container&) = delete;
  Container& operator=(const Container&) = delete;
  const std::string& name() const { return name_; }
  std::string Logs() const { return Podman({"logs", name_}).err; }

 private:
  std::string name_;
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(BuiltImage);

BOOST_AUTO_TEST_CASE(image_is_within_size_budget) {
  CommandResult size = Podman({"image", "inspect", "--format", "{{.Size}}", kImage});
  BOOST_REQUIRE(size.exit_code == 0);
  const double bytes = std::stod(Trim(size.out));
  std::cout << "image size: " << bytes << " bytes (" << bytes / 1e6 << " MB)\n";
  BOOST_TEST(bytes < kImageBudgetBytes);

  CommandResult config =
      Podman({"image", "inspect", "--format",
              "{{.Config.User}} {{.Config.StopSignal}} {{.Config.ExposedPorts}}", kImage});
  BOOST_REQUIRE(config.exit_code == 0);
  BOOST_TEST(config.out.find("10490:10490 SIGTERM") == 0, config.out);
  BOOST_TEST(config.out.find("10490/tcp") != std::string::npos, config.out);
}

BOOST_AUTO_TEST_CASE(default_config_in_the_image_is_valid) {
  CommandResult check = Podman({"run", "--rm", "--pull=never", "--network=host", kImage,
                                "--config.check", "--config.file=/etc/opswatch/opswatch.yml"});
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
}

BOOST_AUTO_TEST_CASE(serves_metrics_as_non_root_and_stops_on_sigterm) {
  TempDir dir;
  const int port = FreeLoopbackPort();
  const std::string config = dir.Write("opswatch.yml",
                                       "global:\n  interval: 1s\n  timeout: 500ms\n"
                                       "  state_dir: /var/lib/opswatch\n"
                                       "collectors:\n  - name: root-disk\n    type: disk\n"
                                       "    paths: [/, /var/lib/opswatch]\n");
  // The container user (uid 10490) reads the bind-mounted file.
  BOOST_REQUIRE(chmod(config.c_str(), 0644) == 0);

  Container container({"-e", "OPSWATCH_HEALTHCHECK_PORT=" + std::to_string(port), "-v",
                       config + ":/etc/opswatch/opswatch.yml:ro", kImage,
                       "--config.file=/etc/opswatch/opswatch.yml",
                       "--web.listen-address=127.0.0.1:" + std::to_string(port)});
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  HttpResponse metrics;
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(200ms)) {
    metrics = HttpGet(base + "/metrics", {}, 2s);
    if (metrics.status == 200 &&
        metrics.body.find("opswatch_disk_size_bytes{") != std::string::npos) {
      break;
    }
  }
  BOOST_REQUIRE_MESSAGE(metrics.status == 200, "no /metrics; logs:\n" << container.Logs());
  BOOST_TEST(metrics.body.find("opswatch_collector_up{collector=\"root-disk\",type=\"disk\"} 1") !=
             std::string::npos);
  BOOST_TEST(metrics.body.find("mountpoint=\"/var/lib/opswatch\"") != std::string::npos);
  BOOST_TEST(HttpGet(base + "/-/healthy").status == 200);

  // Not root, seen from inside (id -u) and from the host (podman top).
  CommandResult uid = Podman({"exec", container.name(), "id", "-u"});
  BOOST_REQUIRE(uid.exit_code == 0);
  BOOST_TEST(Trim(uid.out) == "10490");
  CommandResult top = Podman({"top", container.name(), "user", "args"});
  BOOST_TEST(top.exit_code == 0);
  BOOST_TEST(top.out.find("opswatch") != std::string::npos, top.out);
  BOOST_TEST(top.out.find("root") == std::string::npos, top.out);

  // The state volume is writable by the container user.
  CommandResult touch = Podman({"exec", container.name(), "touch", "/var/lib/opswatch/probe"});
  BOOST_TEST(touch.exit_code == 0, touch.err);

  // The image's own HEALTHCHECK (bash /dev/tcp, no curl) passes against the running server.
  CommandResult health = Podman({"healthcheck", "run", container.name()});
  BOOST_TEST(health.exit_code == 0, health.out << health.err);

  // SIGTERM: podman stop sends the image's STOPSIGNAL and SIGKILLs after 5 s (exit code 137);
  // a clean exit 0 well within that is what an orchestrator's rolling update needs.
  const auto start = std::chrono::steady_clock::now();
  CommandResult stop = Podman({"stop", "-t", "5", container.name()}, 30s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "podman stop took " << seconds << " s\n";
  BOOST_TEST(stop.exit_code == 0, stop.err);
  BOOST_TEST(seconds < 5.0);
  CommandResult exit_code =
      Podman({"inspect", "--format", "{{.State.ExitCode}}", container.name()});
  BOOST_TEST(Trim(exit_code.out) == "0", "exit code " << exit_code.out << "\n" << container.Logs());
  BOOST_TEST(container.Logs().find("shutting down") != std::string::npos);
}
