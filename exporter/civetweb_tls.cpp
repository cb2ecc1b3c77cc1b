#include "exporter/civetweb_tls.hpp"

#include <civetweb.h>
#include <dlfcn.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace opswatch {
namespace {

// The directories the shim libraries may be in, relative to the executable: the build tree and
// an installed layout (bin/ and lib/opswatch/).
std::vector<std::filesystem::path> ShimDirectories() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return {exe.parent_path() / "opswatch-tls", exe.parent_path() / ".." / "lib" / "opswatch"};
}

Status LoadShims() {
  std::string tried;
  for (const auto& dir : ShimDirectories()) {
    std::filesystem::path crypto = dir / "libcrypto.so";
    std::filesystem::path ssl = dir / "libssl.so";
    std::error_code ec;
    if (!std::filesystem::exists(ssl, ec) || !std::filesystem::exists(crypto, ec)) {
      tried += (tried.empty() ? "" : ", ") + dir.string();
      continue;
    }
    // Never closed: CivetWeb keeps calling into them until the process ends.
    if (!dlopen(crypto.c_str(), RTLD_NOW | RTLD_GLOBAL) ||
        !dlopen(ssl.c_str(), RTLD_NOW | RTLD_GLOBAL)) {
      const char* why = dlerror();
      return Status::Error("cannot load the OpenSSL 3 shim for CivetWeb from " + dir.string() +
                           ": " + (why ? why : "unknown error"));
    }
    return Status::Ok();
  }
  return Status::Error(
      "the OpenSSL 3 shim for CivetWeb (libssl.so, libcrypto.so) is missing; "
      "looked in " +
      tried);
}

}  // namespace

Status InitCivetWebTls() {
  // Process-wide like the dynamic loader state it changes; a function-local once flag.
  static std::once_flag once;
  static Status result = Status::Ok();
  std::call_once(once, [] {
    result = LoadShims();
    if (!result.ok()) return;
    if ((mg_init_library(MG_FEATURES_TLS) & MG_FEATURES_TLS) == 0) {
      result = Status::Error("CivetWeb could not initialise TLS with this OpenSSL");
    }
  });
  return result;
}

}  // namespace opswatch
