#include "exporter/tls_ciphers.hpp"

#include <openssl/ssl.h>

#include <memory>

namespace opswatch {

std::optional<std::string> OpenSslTls12CipherName(std::string_view iana_name) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                        &SSL_CTX_free);
  if (!ctx) return std::nullopt;
  // Everything this OpenSSL can do, not only its default selection.
  if (SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL:@SECLEVEL=0") != 1) {
    return std::nullopt;
  }
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    const char* standard = SSL_CIPHER_standard_name(cipher);
    if (standard == nullptr || iana_name != standard) continue;
    if (std::string_view(SSL_CIPHER_get_version(cipher)) == "TLSv1.3") return std::nullopt;
    return std::string(SSL_CIPHER_get_name(cipher));
  }
  return std::nullopt;
}

}  // namespace opswatch
