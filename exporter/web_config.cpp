#include "exporter/web_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "exporter/tls_ciphers.hpp"

namespace opswatch {
namespace {

constexpr const char* kTls = "tls_server_config";

struct NamedVersion {
  const char* name;
  uint16_t version;
};
constexpr NamedVersion kVersions[] = {
    {"TLS10", 0x0301}, {"TLS11", 0x0302}, {"TLS12", 0x0303}, {"TLS13", 0x0304}};

struct NamedClientAuth {
  const char* name;
  ClientAuth value;
};
constexpr NamedClientAuth kClientAuths[] = {
    {"NoClientCert", ClientAuth::kNoClientCert},
    {"RequestClientCert", ClientAuth::kRequestClientCert},
    {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
    {"RequireClientCert", ClientAuth::kRequireAnyClientCert},  // exporter-toolkit's old name
    {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
    {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert},
};

// exporter-toolkit keys opswatch knows but does not implement: refused by name rather than as
// unknown, so the message says what to do.
constexpr const char* kUnsupportedTlsKeys[] = {"cert", "key", "client_ca", "curve_preferences",
                                               "client_allowed_sans"};

std::string ResolvePath(const std::string& base_dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

void RefuseUnsupported(MapReader& reader, const std::string& key) {
  if (!reader.Has(key)) return;
  reader.Fail(key, "not supported by opswatch (use the *_file keys, or remove it)");
}

FileRef ReadFileKey(MapReader& reader, const std::string& key, const std::string& base_dir) {
  FileRef ref;
  ref.key = reader.KeyPath(key);
  if (!reader.Has(key)) return ref;
  std::string path;
  if (!reader.String(key, path)) return ref;
  YAML::Mark mark = reader.Child(key).Mark();
  ref.line = mark.line + 1;
  ref.column = mark.column + 1;
  if (path.empty()) {
    reader.Fail(key, "must not be empty");
    return ref;
  }
  ref.path = ResolvePath(base_dir, path);
  return ref;
}

void ReadVersion(MapReader& reader, const std::string& key, uint16_t& out) {
  std::string name;
  if (!reader.Has(key) || !reader.String(key, name)) return;
  for (const auto& v : kVersions) {
    if (name == v.name) {
      out = v.version;
      return;
    }
  }
  reader.Fail(key, "unknown TLS version \"" + name + "\" (use TLS10, TLS11, TLS12 or TLS13)");
}

void ReadClientAuth(MapReader& reader, ClientAuth& out) {
  std::string name;
  if (!reader.Has("client_auth_type") || !reader.String("client_auth_type", name)) return;
  if (name.empty()) return;  // exporter-toolkit treats "" as NoClientCert
  for (const auto& a : kClientAuths) {
    if (name == a.name) {
      out = a.value;
      return;
    }
  }
  reader.Fail("client_auth_type",
              "unknown client_auth_type \"" + name +
                  "\" (use NoClientCert, RequestClientCert, RequireAnyClientCert, "
                  "VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
}

void ReadCipherSuites(MapReader& reader, std::vector<std::string>& out) {
  std::vector<std::string> names;
  if (!reader.Has("cipher_suites") || !reader.StringList("cipher_suites", names)) return;
  YAML::Node list = reader.Child("cipher_suites");
  for (size_t i = 0; i < names.size(); ++i) {
    auto openssl_name = OpenSslTls12CipherName(names[i]);
    if (!openssl_name) {
      reader.errors().Add(list[i], reader.KeyPath("cipher_suites") + "[" + std::to_string(i) +
                                       "]: unknown or unsupported cipher suite \"" + names[i] +
                                       "\" (IANA names of TLS 1.2 suites, e.g. "
                                       "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; TLS 1.3 suites "
                                       "are not configurable)");
      continue;
    }
    out.push_back(*openssl_name);
  }
}

bool TlsSectionSetsAnything(const WebTlsConfig& tls) {
  return !tls.cert_file.path.empty() || !tls.key_file.path.empty() ||
         !tls.client_ca_file.path.empty() || tls.client_auth != ClientAuth::kNoClientCert;
}

void ParseTls(MapReader& reader, const std::string& base_dir, WebConfig& config) {
  WebTlsConfig& tls = config.tls;
  for (const char* key : kUnsupportedTlsKeys) RefuseUnsupported(reader, key);
  tls.cert_file = ReadFileKey(reader, "cert_file", base_dir);
  tls.key_file = ReadFileKey(reader, "key_file", base_dir);
  tls.client_ca_file = ReadFileKey(reader, "client_ca_file", base_dir);
  ReadClientAuth(reader, tls.client_auth);
  ReadVersion(reader, "min_version", tls.min_version);
  ReadVersion(reader, "max_version", tls.max_version);
  ReadCipherSuites(reader, tls.openssl_cipher_names);
  reader.Bool("prefer_server_cipher_suites", tls.prefer_server_cipher_suites);
  size_t errors_before = reader.errors().size();
  reader.Finish();
  if (reader.errors().size() != errors_before) return;

  config.tls_enabled = TlsSectionSetsAnything(tls) || reader.Has("cert_file") ||
                       reader.Has("key_file") || reader.Has("client_ca_file");
  if (!config.tls_enabled) return;
  const YAML::Node& at = reader.node();
  if (!reader.Has("cert_file")) reader.errors().Add(at, std::string(kTls) + ": missing cert_file");
  if (!reader.Has("key_file")) reader.errors().Add(at, std::string(kTls) + ": missing key_file");
  bool verifies = tls.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                  tls.client_auth == ClientAuth::kRequireAndVerifyClientCert;
  if (reader.Has("client_ca_file") && tls.client_auth == ClientAuth::kNoClientCert) {
    reader.Fail("client_ca_file",
                "set, but client_auth_type is NoClientCert (set client_auth_type: "
                "RequireAndVerifyClientCert to check client certificates)");
  }
  if (verifies && !reader.Has("client_ca_file")) {
    reader.Fail("client_auth_type",
                "verifying client certificates needs client_ca_file (the CAs that sign them)");
  }
  if (tls.min_version > tls.max_version) {
    reader.Fail("max_version", "max_version is older than min_version");
  }
}

void ParseUsers(const YAML::Node& users, ConfigErrors& errors, WebConfig& config) {
  if (!users.IsDefined() || users.IsNull()) return;
  if (!users.IsMap()) {
    errors.Add(users, "basic_auth_users: expected a mapping of user names to bcrypt hashes");
    return;
  }
  for (auto it = users.begin(); it != users.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar().empty()) {
      errors.Add(it->first, "basic_auth_users: a user name must be a non-empty string");
      continue;
    }
    const std::string& user = it->first.Scalar();
    // A colon cannot be sent in a Basic user name (it separates user and password).
    if (user.find(':') != std::string::npos) {
      errors.Add(it->first, "basic_auth_users: user name \"" + user + "\" contains a colon");
      continue;
    }
    // The hash is a secret: messages name the user, never the value. No ${VAR} expansion: a hash
    // is written as htpasswd prints it.
    if (!it->second.IsScalar() || !IsBcryptHash(it->second.Scalar())) {
      errors.Add(it->second, "basic_auth_users." + user +
                                 ": not a bcrypt hash (create one with htpasswd -nBC 10 \"\" | "
                                 "tr -d ':\\n')");
      continue;
    }
    config.users[user] = Secret(it->second.Scalar());
  }
}

void ParseHeaders(MapReader& http, WebConfig& config) {
  YAML::Node headers = http.Child("headers");  // safe when the section is not a map
  std::map<std::string, std::string> values;
  if (!http.StringMap("headers", values)) return;
  const auto& allowed = AllowedWebHeaders();
  for (const auto& [name, value] : values) {
    auto rule = allowed.find(name);
    const YAML::Node& at = headers[name];
    if (rule == allowed.end()) {
      std::string names;
      for (const auto& [n, unused] : allowed) names += (names.empty() ? "" : ", ") + n;
      http.errors().Add(at, "http_server_config.headers: header \"" + name +
                                "\" cannot be configured (allowed: " + names + ")");
      continue;
    }
    const auto& choices = rule->second;
    if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end()) {
      std::string list;
      for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
      http.errors().Add(at, "http_server_config.headers." + name + ": \"" + value +
                                "\" is not allowed (use one of: " + list + ")");
      continue;
    }
    config.headers.emplace_back(name, value);
  }
}

void ParseHttp(MapReader& http, WebConfig& config) {
  ParseHeaders(http, config);
  // HTTP/2 is not served (CivetWeb here speaks HTTP/1.1); the key is accepted for compatibility.
  bool http2 = true;
  http.Bool("http2", http2);
  http.Finish();
}

}  // namespace

const std::map<std::string, std::vector<std::string>>& AllowedWebHeaders() {
  static const std::map<std::string, std::vector<std::string>> kAllowed = {
      {"Strict-Transport-Security", {}},
      {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}},
      {"X-XSS-Protection", {}},
      {"Content-Security-Policy", {}},
  };
  return kAllowed;
}

bool IsBcryptHash(const std::string& hash) {
  // $2y$10$ + 22 characters of salt + 31 of hash.
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') {
    return false;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (!std::isdigit(static_cast<unsigned char>(hash[4])) ||
      !std::isdigit(static_cast<unsigned char>(hash[5]))) {
    return false;
  }
  int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  return std::all_of(hash.begin() + 7, hash.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '/';
  });
}

WebConfig ParseWebConfig(const std::string& file, std::string_view text, ConfigErrors& errors,
                         const ConfigEnv& env) {
  WebConfig config;
  YAML::Node root = LoadYamlDocument(text, errors);
  if (!errors.empty() || root.IsNull()) return config;  // an empty file: plain HTTP, no auth
  if (!root.IsMap()) {
    errors.Add(root,
               "the web config must be a mapping (tls_server_config:, basic_auth_users:, "
               "http_server_config:)");
    return config;
  }
  std::string base_dir = std::filesystem::path(file).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  MapReader top(root, "", errors, env);
  YAML::Node tls_node = top.Child(kTls);
  if (tls_node.IsDefined()) {
    MapReader tls(tls_node, kTls, errors, env);
    ParseTls(tls, base_dir, config);
  }
  YAML::Node http_node = top.Child("http_server_config");
  if (http_node.IsDefined()) {
    MapReader http(http_node, "http_server_config", errors, env);
    ParseHttp(http, config);
  }
  ParseUsers(top.Child("basic_auth_users"), errors, config);
  if (top.Has("rate_limit")) top.Fail("rate_limit", "not supported by opswatch");
  top.Finish();
  return config;
}

}  // namespace opswatch
