#include "collectors/tls_client_config.hpp"

#include <utility>

#include "core/bounded_read.hpp"

namespace opswatch {

bool ReadTlsClientConfig(MapReader& reader, TlsClientConfig& out) {
  YAML::Node node = reader.Child("tls");
  MapReader tls(node, reader.KeyPath("tls"), reader.errors(), reader.env());
  bool ok = tls.String("ca_file", out.ca_file) && tls.String("cert_file", out.cert_file) &&
            tls.String("key_file", out.key_file) && tls.String("server_name", out.server_name) &&
            tls.Bool("insecure_skip_verify", out.insecure_skip_verify);
  for (auto [key, value] :
       {std::pair{"ca_file", &out.ca_file}, std::pair{"cert_file", &out.cert_file},
        std::pair{"key_file", &out.key_file}}) {
    if (!ok || value->empty()) continue;
    auto content = reader.env().ReadFile(*value, kConfigFileLimit);
    if (!content) {
      tls.Fail(key, "cannot read \"" + *value + "\": " + content.error());
      ok = false;
    }
  }
  if (ok && out.cert_file.empty() != out.key_file.empty()) {
    tls.Fail(out.cert_file.empty() ? "key_file" : "cert_file",
             "set both cert_file and key_file for a client certificate");
    ok = false;
  }
  tls.Finish();
  return ok;
}

}  // namespace opswatch
