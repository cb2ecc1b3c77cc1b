// Every shell script of the repository (the tracked *.sh files and .ci/run) parses (`bash -n`) and
// passes shellcheck, so a quoting slip fails the suite instead of a user's run.
#define BOOST_TEST_MODULE shell_scripts
#include <boost/test/unit_test.hpp>
#include <exception>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

using namespace opswatch::testing;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kSource = OPSWATCH_SOURCE_DIR;

// The scripts, relative to the source dir: what git tracks, or, in a copy without git, every *.sh
// under the folders that hold scripts.
std::vector<std::string> ShellScripts() {
  std::set<std::string> scripts;
  CommandResult listed;
  try {
    listed = RunCommand({"git", "-C", kSource.string(), "ls-files", "--", "*.sh", ".ci/run"}, 30s);
  } catch (const std::exception&) {
    listed.exit_code = -1;  // no git binary
  }
  if (listed.exit_code == 0) {
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) scripts.insert(line);
    }
  } else {
    for (const char* dir : {"scripts", "examples", "bench", ".ci"}) {
      if (!std::filesystem::is_directory(kSource / dir)) continue;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(kSource / dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".sh") {
          scripts.insert(std::filesystem::relative(entry.path(), kSource).string());
        }
      }
    }
    if (std::filesystem::exists(kSource / ".ci/run")) scripts.insert(".ci/run");
  }
  return {scripts.begin(), scripts.end()};
}

BOOST_AUTO_TEST_CASE(the_listing_finds_the_scripts) {
  const std::vector<std::string> scripts = ShellScripts();
  const std::set<std::string> found(scripts.begin(), scripts.end());
  std::ostringstream listing;
  for (const std::string& script : scripts) listing << ' ' << script;
  for (const char* expected : {".ci/run", "scripts/test.sh", "scripts/install-deps.sh",
                               "examples/staging/run-local.sh", "examples/staging/db-backup.sh"}) {
    BOOST_TEST(found.count(expected) == 1, expected << " not among:" << listing.str());
  }
}

BOOST_AUTO_TEST_CASE(every_script_parses) {
  for (const std::string& script : ShellScripts()) {
    CommandResult check = RunCommand({"bash", "-n", (kSource / script).string()}, 30s);
    BOOST_TEST(check.exit_code == 0, "bash -n " << script << ":\n" << check.out << check.err);
  }
}

BOOST_AUTO_TEST_CASE(every_script_passes_shellcheck) {
  BOOST_REQUIRE_MESSAGE(RunShell("command -v shellcheck", 30s).exit_code == 0,
                        "shellcheck is not installed: scripts/install-deps.sh --test installs it");
  for (const std::string& script : ShellScripts()) {
    // -x follows `source`d files (bench/lib.sh), which each script names with a directive.
    CommandResult check = RunCommand({"shellcheck", "-x", (kSource / script).string()}, 60s);
    BOOST_TEST(check.exit_code == 0, "shellcheck " << script << ":\n" << check.out << check.err);
  }
}

}  // namespace
