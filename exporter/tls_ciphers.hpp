// exporter-toolkit names cipher suites as Go does, by their IANA names
// ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"); OpenSSL's cipher lists use its own names
// ("ECDHE-RSA-AES128-GCM-SHA256"). OpenSSL knows both, so ask it instead of keeping a table.
// Thread-safety: thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace opswatch {

// OpenSSL's name of the TLS 1.2 (or older) suite `iana_name`, or nullopt when this OpenSSL does
// not offer it. TLS 1.3 suites are not configurable (as in Go) and yield nullopt too.
std::optional<std::string> OpenSslTls12CipherName(std::string_view iana_name);

}  // namespace opswatch
