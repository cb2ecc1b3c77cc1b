#include "exporter/basic_auth.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <vector>

namespace opswatch {
namespace {

int BcryptCost(const std::string& hash) { return (hash[4] - '0') * 10 + (hash[5] - '0'); }

// A hash of a random password that nobody knows, at `cost`, made once per web config.
std::string MakeDummyHash(int cost) {
  unsigned char random[16];
  RAND_bytes(random, sizeof random);
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn("$2b$", cost, reinterpret_cast<const char*>(random), sizeof random, setting,
                        sizeof setting)) {
    return {};
  }
  RAND_bytes(random, sizeof random);
  std::string password;
  for (unsigned char c : random) password += static_cast<char>('a' + c % 26);
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_rn(password.c_str(), setting, data.get(), sizeof *data);
  return hash ? std::string(hash) : std::string();
}

int HighestCost(const std::map<std::string, Secret>& users) {
  int cost = 10;  // htpasswd's default
  bool first = true;
  for (const auto& [user, hash] : users) {
    cost = first ? BcryptCost(hash.Reveal()) : std::max(cost, BcryptCost(hash.Reveal()));
    first = false;
  }
  return cost;
}

std::string DecodeBase64(std::string_view text, bool& ok) {
  ok = false;
  if (text.empty() || text.size() % 4 != 0) return {};
  if (!std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
      })) {
    return {};
  }
  std::vector<unsigned char> out(text.size() / 4 * 3 + 1);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return {};
  // EVP_DecodeBlock counts the bytes that padding stands for.
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  if (padding > 2 || static_cast<size_t>(n) < padding) return {};
  ok = true;
  return std::string(reinterpret_cast<const char*>(out.data()), n - padding);
}

}  // namespace

bool ParseBasicAuthorization(std::string_view header, std::string& user, std::string& password) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  }
  std::string_view encoded = header.substr(kScheme.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  bool ok = false;
  std::string decoded = DecodeBase64(encoded, ok);
  auto colon = decoded.find(':');
  if (!ok || colon == std::string::npos) return false;
  user = decoded.substr(0, colon);
  password = decoded.substr(colon + 1);
  return true;
}

bool BasicAuthenticator::VerifyBcrypt(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // 32 KiB: too big for a server worker's stack
  const char* computed = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof *data);
  if (computed == nullptr || hash.size() != std::char_traits<char>::length(computed)) return false;
  return CRYPTO_memcmp(computed, hash.data(), hash.size()) == 0;
}

BasicAuthenticator::BasicAuthenticator(std::map<std::string, Secret> users)
    : users_(std::move(users)),
      dummy_hash_(users_.empty() ? "" : MakeDummyHash(HighestCost(users_))) {}

BasicAuthOutcome BasicAuthenticator::Check(std::string_view authorization) {
  if (authorization.empty()) return BasicAuthOutcome::kMissing;
  std::string user, password;
  if (!ParseBasicAuthorization(authorization, user, password)) return BasicAuthOutcome::kMalformed;
  auto it = users_.find(user);
  bool known = it != users_.end();
  const std::string& hash = known ? it->second.Reveal() : dummy_hash_;

  Digest key{};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned int key_size = 0;
  // Lengths first, so ("ab", "c") and ("a", "bc") differ.
  const size_t sizes[3] = {user.size(), hash.size(), password.size()};
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(md.get(), sizes, sizeof sizes) != 1 ||
      EVP_DigestUpdate(md.get(), user.data(), user.size()) != 1 ||
      EVP_DigestUpdate(md.get(), hash.data(), hash.size()) != 1 ||
      EVP_DigestUpdate(md.get(), password.data(), password.size()) != 1 ||
      EVP_DigestFinal_ex(md.get(), key.data(), &key_size) != 1) {
    return BasicAuthOutcome::kBadCredentials;
  }
  if (known) {
    std::lock_guard lock(cache_mu_);
    if (successes_.count(key)) return BasicAuthOutcome::kOk;
  }
  bool match;
  {
    std::lock_guard lock(bcrypt_mu_);
    match = VerifyBcrypt(password, hash);
  }
  OPENSSL_cleanse(password.data(), password.size());
  if (!known || !match) return BasicAuthOutcome::kBadCredentials;
  std::lock_guard lock(cache_mu_);
  if (successes_.size() >= kMaxCachedSuccesses) successes_.clear();
  successes_.insert(key);
  return BasicAuthOutcome::kOk;
}

}  // namespace opswatch
