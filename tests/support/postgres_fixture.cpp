#include "tests/support/postgres_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "tests/support/process.hpp"

namespace opswatch::testing {
namespace {

namespace fs = std::filesystem;

constexpr auto kServerTimeout = std::chrono::seconds(60);

// The newest /usr/lib/postgresql/<major>/bin that has initdb.
std::string FindBinDir() {
  int best_major = -1;
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    if (!fs::exists(entry.path() / "bin" / "initdb")) continue;
    int major = std::stoi(name);
    if (major > best_major) {
      best_major = major;
      best = (entry.path() / "bin").string();
    }
  }
  if (best.empty()) {
    throw std::runtime_error("no PostgreSQL server found under /usr/lib/postgresql/*/bin");
  }
  return best;
}

bool IsRoot() { return geteuid() == 0; }

void ChownToPostgres(const std::string& path) {
  passwd* pw = getpwnam("postgres");
  if (!pw) throw std::runtime_error("user postgres does not exist");
  if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    throw std::runtime_error("cannot chown " + path + " to postgres");
  }
}

void WriteFile(const std::string& path, const std::string& content, bool append) {
  std::ofstream out(path, append ? std::ios::app : std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string Describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

}  // namespace

PostgresServer::PostgresServer() : bin_dir_(FindBinDir()) {
  std::string pattern = (fs::temp_directory_path() / "opswatch-pg-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  root_dir_ = pattern;
  data_dir_ = root_dir_ + "/data";
  log_path_ = root_dir_ + "/server.log";
  try {
    if (IsRoot()) ChownToPostgres(root_dir_);
    CommandResult init = RunAsServerUser({bin_dir_ + "/initdb", "-D", data_dir_, "-U", "postgres",
                                          "-E", "UTF8", "--locale=C", "--no-sync",
                                          "--auth-local=trust", "--auth-host=scram-sha-256"});
    if (init.exit_code != 0) throw std::runtime_error("initdb failed: " + Describe(init));
    // First matching line wins: the superuser is trusted, everyone else uses a password.
    WriteFile(data_dir_ + "/pg_hba.conf",
              "local all all trust\n"
              "host all postgres 127.0.0.1/32 trust\n"
              "host all all 127.0.0.1/32 scram-sha-256\n",
              /*append=*/false);
    WriteFile(data_dir_ + "/postgresql.conf",
              "\nlisten_addresses = '127.0.0.1'\n"
              "unix_socket_directories = '" +
                  root_dir_ +
                  "'\n"
                  "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                  "max_connections = 50\nshared_buffers = 16MB\n"
                  "password_encryption = 'scram-sha-256'\n",
              /*append=*/true);
    std::string error;
    bool started = false;
    for (int attempt = 0; attempt < 3 && !started; ++attempt) {
      port_ = FreeLoopbackPort();
      started = TryStart(&error);
    }
    if (!started) throw std::runtime_error("PostgreSQL did not start: " + error);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(root_dir_, ec);
    throw;
  }
}

PostgresServer::~PostgresServer() {
  if (running_) {
    RunAsServerUser({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "stop"});
  }
  std::error_code ec;
  fs::remove_all(root_dir_, ec);
}

std::string PostgresServer::Uri(const std::string& db, const std::string& user,
                                const std::string& password) const {
  std::string uri = "postgresql://" + user;
  if (!password.empty()) uri += ":" + password;
  return uri + "@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

CommandResult PostgresServer::Psql(const std::string& sql, const std::string& db) const {
  return RunCommand(
      {bin_dir_ + "/psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
       std::to_string(port_), "-U", "postgres", "-d", db, "-c", sql},
      kServerTimeout);
}

void PostgresServer::Stop() {
  if (!running_) return;
  CommandResult r =
      RunAsServerUser({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-m", "fast", "-w", "stop"});
  if (r.exit_code != 0) throw std::runtime_error("pg_ctl stop failed: " + Describe(r));
  running_ = false;
}

void PostgresServer::Start() {
  if (running_) return;
  std::string error;
  if (!TryStart(&error)) throw std::runtime_error("PostgreSQL did not start: " + error);
}

std::string PostgresServer::Log() const {
  std::ifstream in(log_path_);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool PostgresServer::TryStart(std::string* error) {
  CommandResult r = RunAsServerUser({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-l", log_path_, "-o",
                                     "-p " + std::to_string(port_), "-w", "-t", "30", "start"});
  if (r.exit_code == 0) {
    running_ = true;
    return true;
  }
  // pg_ctl may have left a half-started postmaster behind on timeout.
  RunAsServerUser({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "stop"});
  *error = Describe(r) + "\nserver log:\n" + Log();
  return false;
}

CommandResult PostgresServer::RunAsServerUser(const std::vector<std::string>& argv) const {
  // `env -C` gives the child a working directory the postgres user can read.
  std::vector<std::string> full;
  if (IsRoot()) full = {"runuser", "-u", "postgres", "--"};
  full.insert(full.end(), {"env", "-C", root_dir_});
  full.insert(full.end(), argv.begin(), argv.end());
  return RunCommand(full, kServerTimeout);
}

}  // namespace opswatch::testing
