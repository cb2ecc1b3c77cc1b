// How a collector's outgoing HTTPS requests verify the server and present a client certificate:
// the `tls` key of the http and scrape collectors (README, "type: http"), read once for both.
// Thread-safety: a value type and a pure reader.
#pragma once

#include <string>

#include "core/config_reader.hpp"

namespace opswatch {

struct TlsClientConfig {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;  // connect to the URL's host, but send/verify this name
  bool insecure_skip_verify = false;
};

// Reads `tls` {ca_file, cert_file, key_file, server_name, insecure_skip_verify}: each file must be
// readable at load, and cert_file and key_file come together.
bool ReadTlsClientConfig(MapReader& reader, TlsClientConfig& out);

}  // namespace opswatch
