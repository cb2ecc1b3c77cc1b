// What --web.config.file brings in from outside: the first line is an Authorization header as a
// client sends it (untrusted, parsed before any credentials are known to be good), the rest is
// the text of a web-config file.
#include <string>

#include "exporter/basic_auth.hpp"
#include "exporter/web_config.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tests/support/env.hpp"

using opswatch::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = opswatch::fuzz::AsText(data, size);
  const size_t newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view text =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  std::string user, password;
  if (opswatch::ParseBasicAuthorization(header, user, password)) {
    Require(user.find(':') == std::string::npos, "a Basic user name never contains a colon");
    Require(user.size() + password.size() < header.size(), "decoded credentials are shorter");
  }

  opswatch::testing::FakeConfigEnv env;
  opswatch::ConfigErrors errors;
  opswatch::WebConfig config = opswatch::ParseWebConfig("/etc/opswatch/web.yml", text, errors, env);
  const std::string messages = errors.Format("web.yml");
  for (const auto& [name, hash] : config.users) {
    Require(opswatch::IsBcryptHash(hash.Reveal()), "only bcrypt hashes are accepted");
  }
  if (errors.empty() && config.tls_enabled) {
    Require(!config.tls.cert_file.path.empty() && !config.tls.key_file.path.empty(),
            "TLS without a certificate and key is an error");
    Require(config.tls.min_version <= config.tls.max_version, "min_version <= max_version");
  }
  return 0;
}
