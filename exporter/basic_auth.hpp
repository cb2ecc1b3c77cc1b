// HTTP Basic authentication against the bcrypt hashes of a web config (basic_auth_users).
//
// One bcrypt check at cost 10 takes about 50 ms of CPU, so, as exporter-toolkit does, successful
// checks are remembered: a scraper sending the same credentials every 15 s pays once. The cache is
// keyed by a SHA-256 of user, hash and password, never by the password itself, and is dropped
// with the authenticator when the web config changes. Failed checks are not cached, and bcrypt
// runs one at a time, so guessing costs the guesser about 50 ms per try. A user name that is not
// configured is checked against a dummy hash of the same cost, so the answer's timing does not
// tell which users exist; the computed hash is compared in constant time.
// Thread-safety: thread-safe.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "core/secret.hpp"

namespace opswatch {

enum class BasicAuthOutcome {
  kOk,
  kMissing,         // no Authorization header
  kMalformed,       // not "Basic <base64 of user:password>"
  kBadCredentials,  // unknown user or wrong password
};

class BasicAuthenticator {
 public:
  explicit BasicAuthenticator(std::map<std::string, Secret> users);
  BasicAuthenticator(const BasicAuthenticator&) = delete;
  BasicAuthenticator& operator=(const BasicAuthenticator&) = delete;

  // Checks the value of an Authorization header ("" when absent).
  BasicAuthOutcome Check(std::string_view authorization);

  // True when `password` matches the bcrypt `hash` (libxcrypt), compared in constant time.
  static bool VerifyBcrypt(const std::string& password, const std::string& hash);

 private:
  using Digest = std::array<unsigned char, 32>;
  static constexpr size_t kMaxCachedSuccesses = 1024;

  const std::map<std::string, Secret> users_;
  const std::string dummy_hash_;  // for unknown users, at the cost of the configured ones
  std::mutex bcrypt_mu_;          // one bcrypt at a time (CPU bound, ~50 ms)
  std::mutex cache_mu_;
  std::set<Digest> successes_;  // GUARDED_BY(cache_mu_)
};

// "Basic dXNlcjpwYXNz" -> {"user", "pass"}; false when the header is not of that form.
bool ParseBasicAuthorization(std::string_view header, std::string& user, std::string& password);

}  // namespace opswatch
