// Basic auth against bcrypt hashes: header parsing, right and wrong credentials, unknown users,
// $2y$ hashes as htpasswd writes them, and the cache of successful checks.
#define BOOST_TEST_MODULE basic_auth
#include "exporter/basic_auth.hpp"

#include <crypt.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <memory>

namespace opswatch {
namespace {

// bcrypt of `password` at `cost` ($2b$), made with libxcrypt as htpasswd -B would.
std::string Bcrypt(const std::string& password, int cost, const char* prefix = "$2b$") {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  BOOST_REQUIRE(crypt_gensalt_rn(prefix, cost, nullptr, 0, setting, sizeof setting) != nullptr);
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_rn(password.c_str(), setting, data.get(), sizeof *data);
  BOOST_REQUIRE(hash != nullptr);
  return hash;
}

// "Basic " + base64("user:password"), from a fixed table to keep the test independent of our
// decoder.
constexpr const char* kAliceSecret = "Basic YWxpY2U6c2VjcmV0";       // alice:secret
constexpr const char* kAliceWrong = "Basic YWxpY2U6d3Jvbmc=";        // alice:wrong
constexpr const char* kMalloryGuess = "Basic bWFsbG9yeTpzZWNyZXQ=";  // mallory:secret

BOOST_AUTO_TEST_CASE(parses_basic_authorization) {
  std::string user, password;
  BOOST_TEST(ParseBasicAuthorization(kAliceSecret, user, password));
  BOOST_TEST(user == "alice");
  BOOST_TEST(password == "secret");
  BOOST_TEST(ParseBasicAuthorization("basic YWxpY2U6d3Jvbmc=", user, password));
  BOOST_TEST(password == "wrong");
  // A password may contain colons; only the first one separates.
  BOOST_TEST(ParseBasicAuthorization("Basic dTphOmI=", user, password));  // u:a:b
  BOOST_TEST(user == "u");
  BOOST_TEST(password == "a:b");
  for (const char* bad : {"", "Basic", "Basic ", "Bearer YWxpY2U6c2VjcmV0", "Basic !!!!",
                          "Basic YWxpY2U",   // not a multiple of 4
                          "Basic YWxpY2U=",  // "alice": no colon
                          "Basic ====", "BasicYWxpY2U6c2VjcmV0"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!ParseBasicAuthorization(bad, user, password)); }
  }
}

BOOST_AUTO_TEST_CASE(verifies_2b_and_2y_hashes) {
  std::string hash_2b = Bcrypt("secret", 4);
  BOOST_TEST(BasicAuthenticator::VerifyBcrypt("secret", hash_2b));
  BOOST_TEST(!BasicAuthenticator::VerifyBcrypt("Secret", hash_2b));
  BOOST_TEST(!BasicAuthenticator::VerifyBcrypt("", hash_2b));
  std::string hash_2y = Bcrypt("secret", 4, "$2y$");
  BOOST_TEST(hash_2y.rfind("$2y$04$", 0) == 0);
  BOOST_TEST(BasicAuthenticator::VerifyBcrypt("secret", hash_2y));
  // exporter-toolkit's documented example hash of "fakepassword" (htpasswd, $2y$, cost 10).
  BOOST_TEST(BasicAuthenticator::VerifyBcrypt(
      "fakepassword", "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
}

BOOST_AUTO_TEST_CASE(checks_credentials) {
  BasicAuthenticator auth({{"alice", Secret(Bcrypt("secret", 4))}});
  BOOST_TEST((auth.Check(kAliceSecret) == BasicAuthOutcome::kOk));
  BOOST_TEST((auth.Check(kAliceWrong) == BasicAuthOutcome::kBadCredentials));
  BOOST_TEST((auth.Check(kMalloryGuess) == BasicAuthOutcome::kBadCredentials));
  BOOST_TEST((auth.Check("") == BasicAuthOutcome::kMissing));
  BOOST_TEST((auth.Check("Basic nope") == BasicAuthOutcome::kMalformed));
  BOOST_TEST((auth.Check("Digest username=\"alice\"") == BasicAuthOutcome::kMalformed));
  // A success is cached, but a wrong password after it is still wrong.
  BOOST_TEST((auth.Check(kAliceSecret) == BasicAuthOutcome::kOk));
  BOOST_TEST((auth.Check(kAliceWrong) == BasicAuthOutcome::kBadCredentials));
}

double SecondsFor(BasicAuthenticator& auth, const char* header, int times) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < times; ++i) auth.Check(header);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// At cost 10 one bcrypt takes ~50 ms, so the difference between a cached success (~µs) and a
// check is orders of magnitude; unknown users pay for a check like known ones.
BOOST_AUTO_TEST_CASE(successes_are_cached_and_unknown_users_cost_a_check) {
  BasicAuthenticator auth({{"alice", Secret(Bcrypt("secret", 10))}});
  double first = SecondsFor(auth, kAliceSecret, 1);
  double cached = SecondsFor(auth, kAliceSecret, 10);
  double unknown = SecondsFor(auth, kMalloryGuess, 1);
  double wrong = SecondsFor(auth, kAliceWrong, 1);
  BOOST_TEST_MESSAGE("first " << first << " s, 10 cached " << cached << " s, unknown user "
                              << unknown << " s, wrong password " << wrong << " s");
  BOOST_TEST(cached < first / 10);
  BOOST_TEST(unknown > first / 3);
  BOOST_TEST(wrong > first / 3);
}

}  // namespace
}  // namespace opswatch
