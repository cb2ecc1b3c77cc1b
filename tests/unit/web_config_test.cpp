// The web-config parser (exporter-toolkit's format): what a good file gives, and one row per
// mistake with its exact file:line:col message. Certificates are not loaded here (tls_context).
#define BOOST_TEST_MODULE web_config
#include "exporter/web_config.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/env.hpp"

namespace opswatch {
namespace {

constexpr const char* kHash = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

struct Parsed {
  WebConfig config;
  std::string errors;
};

Parsed Parse(const std::string& text) {
  testing::FakeConfigEnv env;
  ConfigErrors errors;
  Parsed out;
  out.config = ParseWebConfig("/etc/opswatch/web.yml", text, errors, env);
  out.errors = errors.Format("web.yml");
  return out;
}

BOOST_AUTO_TEST_CASE(full_file_parses) {
  Parsed p = Parse(std::string(R"(
tls_server_config:
  cert_file: server.crt
  key_file: /secure/server.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
  prefer_server_cipher_suites: false
http_server_config:
  http2: true
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: ')") + kHash +
                   "'\n");
  BOOST_TEST(p.errors == "");
  const WebConfig& c = p.config;
  BOOST_TEST(c.tls_enabled);
  // Relative paths are relative to the web config's directory, as in exporter-toolkit.
  BOOST_TEST(c.tls.cert_file.path == "/etc/opswatch/server.crt");
  BOOST_TEST(c.tls.key_file.path == "/secure/server.key");
  BOOST_TEST(c.tls.client_ca_file.path == "/etc/opswatch/ca.crt");
  BOOST_TEST(c.tls.cert_file.line == 3);
  BOOST_TEST(c.tls.cert_file.column == 14);
  BOOST_TEST((c.tls.client_auth == ClientAuth::kRequireAndVerifyClientCert));
  BOOST_TEST(c.tls.min_version == 0x0304);
  BOOST_TEST(c.tls.max_version == 0x0304);
  BOOST_TEST(c.tls.openssl_cipher_names == std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256"});
  BOOST_TEST(!c.tls.prefer_server_cipher_suites);
  BOOST_TEST(c.headers.size() == 2u);
  BOOST_TEST(c.users.count("alice") == 1u);
  BOOST_TEST(c.users.at("alice").Reveal() == kHash);
}

BOOST_AUTO_TEST_CASE(defaults_match_exporter_toolkit) {
  Parsed p = Parse("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n");
  BOOST_TEST(p.errors == "");
  BOOST_TEST(p.config.tls.min_version == 0x0303);  // TLS 1.2
  BOOST_TEST(p.config.tls.max_version == 0x0304);
  BOOST_TEST((p.config.tls.client_auth == ClientAuth::kNoClientCert));
  BOOST_TEST(p.config.tls.prefer_server_cipher_suites);
}

BOOST_AUTO_TEST_CASE(empty_file_and_auth_only_files_serve_plain_http) {
  BOOST_TEST(Parse("").errors == "");
  BOOST_TEST(!Parse("").config.tls_enabled);
  Parsed auth_only = Parse(std::string("basic_auth_users:\n  bob: ") + kHash + "\n");
  BOOST_TEST(auth_only.errors == "");
  BOOST_TEST(!auth_only.config.tls_enabled);
  BOOST_TEST(auth_only.config.users.size() == 1u);
}

BOOST_AUTO_TEST_CASE(exporter_toolkit_client_auth_names) {
  const std::pair<const char*, ClientAuth> names[] = {
      {"NoClientCert", ClientAuth::kNoClientCert},
      {"RequestClientCert", ClientAuth::kRequestClientCert},
      {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
      {"RequireClientCert", ClientAuth::kRequireAnyClientCert},
      {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
      {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert}};
  for (const auto& [name, value] : names) {
    BOOST_TEST_CONTEXT(name) {
      Parsed p = Parse(std::string("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                                   "  client_ca_file: c\n  client_auth_type: ") +
                       name + "\n");
      if (value == ClientAuth::kNoClientCert) {
        BOOST_TEST(p.errors.find("client_ca_file: set, but client_auth_type is NoClientCert") !=
                   std::string::npos);
      } else {
        BOOST_TEST(p.errors == "");
        BOOST_TEST((p.config.tls.client_auth == value));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(invalid_files_report_file_line_col) {
  struct Row {
    std::string text;
    std::string error;
  };
  const std::string tls = "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n";
  const std::vector<Row> rows = {
      {"tls_server_config:\n  cert_file: a.crt\n  certfile: b\n",
       "web.yml:3:3: tls_server_config: unknown key \"certfile\""},
      {"basic_auth_user:\n  a: b\n", "web.yml:1:1: top level: unknown key \"basic_auth_user\""},
      // Found by web_config_fuzz: a section that is not a map threw out of the parser.
      {"http_server_config: x\n",
       "web.yml:1:21: http_server_config: expected a mapping of keys to values, not a scalar"},
      {"tls_server_config: [a]\n",
       "web.yml:1:20: tls_server_config: expected a mapping of keys to values, not a list"},
      {"tls_server_config:\n  cert_file: a.crt\n",
       "web.yml:2:3: tls_server_config: missing key_file\n"},
      {"tls_server_config:\n  key_file: a.key\n",
       "web.yml:2:3: tls_server_config: missing cert_file\n"},
      {"tls_server_config:\n  cert_file: \"\"\n  key_file: k\n",
       "web.yml:2:14: tls_server_config.cert_file: must not be empty\n"},
      {tls + "  client_auth_type: RequireAndVerify\n",
       "web.yml:4:21: tls_server_config.client_auth_type: unknown client_auth_type "
       "\"RequireAndVerify\""},
      {tls + "  client_auth_type: RequireAndVerifyClientCert\n",
       "web.yml:4:21: tls_server_config.client_auth_type: verifying client certificates needs "
       "client_ca_file (the CAs that sign them)\n"},
      {tls + "  client_ca_file: ca.crt\n",
       "web.yml:4:19: tls_server_config.client_ca_file: set, but client_auth_type is "
       "NoClientCert"},
      {tls + "  min_version: TLS14\n",
       "web.yml:4:16: tls_server_config.min_version: unknown TLS version \"TLS14\" (use TLS10, "
       "TLS11, TLS12 or TLS13)\n"},
      {tls + "  min_version: TLS13\n  max_version: TLS12\n",
       "web.yml:5:16: tls_server_config.max_version: max_version is older than min_version\n"},
      {tls + "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_NOPE]\n",
       "web.yml:4:58: tls_server_config.cipher_suites[1]: unknown or unsupported cipher suite "
       "\"TLS_NOPE\""},
      {tls + "  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
       "web.yml:4:19: tls_server_config.cipher_suites[0]: unknown or unsupported cipher suite "
       "\"TLS_AES_128_GCM_SHA256\""},
      {tls + "  cert: |\n    PEM\n",
       "web.yml:4:9: tls_server_config.cert: not supported by opswatch"},
      {tls + "  client_allowed_sans: [a]\n",
       "web.yml:4:24: tls_server_config.client_allowed_sans: not supported by opswatch"},
      {"rate_limit:\n  burst: 1\n", "web.yml:2:3: rate_limit: not supported by opswatch"},
      {"basic_auth_users:\n  alice: plaintext\n",
       "web.yml:2:10: basic_auth_users.alice: not a bcrypt hash"},
      {"basic_auth_users:\n  alice: '$1$abc$def'\n",
       "web.yml:2:10: basic_auth_users.alice: not a bcrypt hash"},
      {"basic_auth_users: [alice]\n",
       "web.yml:1:19: basic_auth_users: expected a mapping of user names to bcrypt hashes\n"},
      {std::string("basic_auth_users:\n  'a:b': ") + kHash + "\n",
       "web.yml:2:3: basic_auth_users: user name \"a:b\" contains a colon\n"},
      {"http_server_config:\n  headers:\n    X-Powered-By: me\n",
       "web.yml:3:19: http_server_config.headers: header \"X-Powered-By\" cannot be configured"},
      {"http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
       "web.yml:3:22: http_server_config.headers.X-Frame-Options: \"allow\" is not allowed (use "
       "one of: deny, sameorigin)\n"},
      {"http_server_config:\n  http3: true\n",
       "web.yml:2:3: http_server_config: unknown key \"http3\""},
      {"- a\n- b\n", "web.yml:1:1: the web config must be a mapping"},
      {"tls_server_config: {cert_file: a\n", "web.yml:"},
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT(row.text) {
      std::string errors = Parse(row.text).errors;
      BOOST_TEST(errors.rfind(row.error, 0) == 0, errors);
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_never_quote_a_hash) {
  // A truncated hash is still a secret: the message names the user only.
  std::string hash = std::string(kHash).substr(0, 40);
  std::string errors = Parse("basic_auth_users:\n  alice: '" + hash + "'\n").errors;
  BOOST_TEST(errors.find("alice") != std::string::npos);
  BOOST_TEST(errors.find(hash) == std::string::npos, errors);
  BOOST_TEST(errors.find("QOauh") == std::string::npos, errors);
}

BOOST_AUTO_TEST_CASE(bcrypt_hash_shapes) {
  BOOST_TEST(IsBcryptHash(kHash));
  BOOST_TEST(IsBcryptHash("$2b$04$" + std::string(53, 'a')));
  BOOST_TEST(IsBcryptHash("$2a$31$" + std::string(53, '.')));
  BOOST_TEST(!IsBcryptHash("$2x$10$" + std::string(53, 'a')));
  BOOST_TEST(!IsBcryptHash("$2b$03$" + std::string(53, 'a')));
  BOOST_TEST(!IsBcryptHash("$2b$32$" + std::string(53, 'a')));
  BOOST_TEST(!IsBcryptHash("$2b$10$" + std::string(52, 'a')));
  BOOST_TEST(!IsBcryptHash("$2b$10$" + std::string(52, 'a') + "!"));
  BOOST_TEST(!IsBcryptHash(""));
}

}  // namespace
}  // namespace opswatch
