/* SONAME libssl.so: gives Debian's CivetWeb 1.15 (built for OpenSSL 1.1) the one function of its
 * table that OpenSSL 3 no longer exports. See exporter/civetweb_tls.hpp. */
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate

X509* SSL_get_peer_certificate(const SSL* ssl);

X509* SSL_get_peer_certificate(const SSL* ssl) { return SSL_get1_peer_certificate(ssl); }
